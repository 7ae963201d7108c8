"""SSDA903 rules, one module per family. Importing a module registers its rules."""
