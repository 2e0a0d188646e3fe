"""wfsync: keep a Webflow CMS and a folder of Markdown files in step."""

__version__ = "0.1.0"
