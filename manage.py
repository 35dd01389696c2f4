#!/usr/bin/env python
"""Django's command-line utility; the same as the `maca` console script."""

from maca.cli import main

if __name__ == "__main__":
    main()
