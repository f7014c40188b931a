"""Developer scripts (code generation, vendoring, catalog refresh); not in the packages."""
