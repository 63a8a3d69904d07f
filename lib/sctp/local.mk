# lib/sctp
