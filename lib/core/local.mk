# lib/core: ctx, worker loop, errors, log, small helpers
libpeerc_internal_la_SOURCES += \
	lib/core/ctx.c lib/core/ctx.h \
	lib/core/error.c lib/core/error.h \
	lib/core/log.c lib/core/log.h \
	lib/core/misc.c \
	lib/core/sized.c lib/core/sized.h
