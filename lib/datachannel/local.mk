# lib/datachannel
