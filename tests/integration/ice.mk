# ICE scenarios (TURN, ICE-TCP, IPv6, consent): see tests/integration/pc-ice.c
