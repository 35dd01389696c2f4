from django.urls import path

from maca.briefings import views

app_name = "briefings"
one = "<slug:reference>/"
urlpatterns = [
    path("", views.briefing_list, name="list"),
    path("new/", views.review_new, name="review_new"),
    path("style/", views.style, name="style"),
    path("style.css", views.style_css, name="style_css"),
    path(one, views.briefing_detail, name="detail"),
    path(one + "edit/", views.briefing_edit, name="edit"),
    path(one + "preview/", views.briefing_preview, name="preview"),
    path(one + "publish/", views.briefing_publish, name="publish"),
    path(one + "versions/", views.version_list, name="versions"),
    path(one + "versions/<int:number>/", views.version_detail, name="version"),
    path(one + "download/<slug:fmt>/", views.briefing_download, name="download"),
]
