#ifndef PEERC_DATACHANNEL_H
#define PEERC_DATACHANNEL_H
#include <peerc/ctx.h>
#endif
