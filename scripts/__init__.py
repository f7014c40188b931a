"""Developer scripts (code generation, vendoring); not part of the packages."""
