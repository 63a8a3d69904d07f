# lib/sdp
