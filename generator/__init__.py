"""Static-site generator for a curated index of Hugging Face Daily Papers dumps."""
