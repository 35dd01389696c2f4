// Builds maca/static/govuk/: compiled CSS plus GOV.UK Frontend's JS, fonts-free assets and images.
// Output is build output (git-ignored); `make assets` runs this.
import { cpSync, mkdirSync, copyFileSync } from "node:fs";
import { compile, NodePackageImporter } from "sass";

const src = "node_modules/govuk-frontend/dist/govuk/";
const out = "maca/static/govuk/";
mkdirSync(out, { recursive: true });
cpSync(src + "assets", out + "assets", { recursive: true });
for (const f of ["govuk-frontend.min.js", "govuk-frontend.min.js.map"]) {
  copyFileSync(src + f, out + f);
}
const result = compile("assets/scss/app.scss", {
  importers: [new NodePackageImporter()],
  style: "compressed",
  quietDeps: true,
  silenceDeprecations: ["import"],
});
import { writeFileSync } from "node:fs";
writeFileSync(out + "app.min.css", result.css);
console.log(`built ${out}app.min.css (${result.css.length} bytes)`);
