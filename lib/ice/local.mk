# lib/ice
