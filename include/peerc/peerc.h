/*
 * peerc.h - WebRTC's RTCPeerConnection in C.  Umbrella header.
 */
#ifndef PEERC_H
#define PEERC_H

#include <peerc/version.h>
#include <peerc/common.h>
#include <peerc/ctx.h>
#include <peerc/pc.h>
#include <peerc/datachannel.h>
#include <peerc/media.h>

#endif /* PEERC_H */
