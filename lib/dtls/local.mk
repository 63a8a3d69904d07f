# lib/dtls
