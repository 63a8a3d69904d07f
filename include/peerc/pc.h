#ifndef PEERC_PC_H
#define PEERC_PC_H
#include <peerc/ctx.h>
#endif
