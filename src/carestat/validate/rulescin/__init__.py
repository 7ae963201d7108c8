"""CIN census rules, one module per family (the registry imports every module; importing a
module registers its rules). How to add one: ARCHITECTURE.md, "CIN rules: how to add one"."""
