"""Rich text: Webflow HTML to Markdown (Turndown-compatible) and Markdown back to Webflow HTML."""

from .to_markdown import to_markdown

__all__ = ["to_markdown"]
