"""Django-free libraries: no import of django or of other peikao packages."""
