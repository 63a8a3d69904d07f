# lib/pc
