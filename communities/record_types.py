"""Record types of community life (organisations, activities, meetings, ...)."""
