"""Pure rules of access: no Django here."""
