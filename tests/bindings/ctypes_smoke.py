"""Python ctypes smoke test: the C ABI is usable from a binding without a
compiler (no varargs, no structs by value).  TAP output."""
import ctypes
import os
import sys

top_builddir = os.environ.get("top_builddir", ".")
lib = ctypes.CDLL(os.path.join(top_builddir, ".libs", "libpeerc.so"))
count = 0
failed = 0


def ok(cond, desc):
    global count, failed
    count += 1
    print("%sok %d - %s" % ("" if cond else "not ", count, desc))
    if not cond:
        failed += 1


lib.peerc_version_string.restype = ctypes.c_char_p
lib.peerc_strerror.restype = ctypes.c_char_p
lib.peerc_error_name.restype = ctypes.c_char_p
lib.peerc_signaling_state_to_string.restype = ctypes.c_char_p
lib.peerc_pc_last_error.restype = ctypes.c_char_p
lib.peerc_pc_last_error.argtypes = [ctypes.c_void_p]
for name in ("peerc_pc_create_offer", "peerc_pc_set_local_description",
             "peerc_pc_set_remote_description", "peerc_pc_signaling_state",
             "peerc_pc_create_data_channel", "peerc_pc_close"):
    getattr(lib, name).restype = ctypes.c_int
lib.peerc_pc_free.argtypes = [ctypes.c_void_p]
lib.peerc_ctx_free.argtypes = [ctypes.c_void_p]
lib.peerc_dc_free.argtypes = [ctypes.c_void_p]
lib.peerc_free.argtypes = [ctypes.c_void_p]

version = lib.peerc_version_string().decode()
ok(version.count(".") == 2, "version string %s" % version)
ok(lib.peerc_version() == sum(int(p) << s for p, s in zip(version.split("."), (16, 8, 0))),
   "numeric version matches")
ok(lib.peerc_error_name(-2) == b"InvalidStateError", "W3C error names")

ctx = ctypes.c_void_p()
pc = ctypes.c_void_p()
dc = ctypes.c_void_p()
ok(lib.peerc_ctx_new(ctypes.byref(ctx)) == 0, "ctx")
ok(lib.peerc_pc_new(ctx, None, None, None, ctypes.byref(pc)) == 0, "pc with defaults")
ok(lib.peerc_pc_create_data_channel(pc, b"py", None, ctypes.byref(dc)) == 0, "data channel")
sdp = ctypes.c_void_p()
ok(lib.peerc_pc_create_offer(pc, None, ctypes.byref(sdp)) == 0, "create_offer")
text = ctypes.cast(sdp, ctypes.c_char_p).value.decode()
ok("m=application" in text and "a=fingerprint:sha-256" in text, "offer carries a data section")
ok(lib.peerc_pc_set_local_description(pc, 1, ctypes.c_char_p(text.encode())) == 0,
   "set_local_description(offer)")
ok(lib.peerc_signaling_state_to_string(lib.peerc_pc_signaling_state(pc)) == b"have-local-offer",
   "signaling state")
ok(lib.peerc_pc_set_remote_description(pc, 3, b"garbage") == -3, "garbage answer -> SyntaxError")
ok(b"line" in lib.peerc_pc_last_error(pc), "last error: %s" % lib.peerc_pc_last_error(pc).decode())
lib.peerc_free(sdp)

# media: a push track added to the pc makes the next offer carry video
lib.peerc_track_id.restype = ctypes.c_char_p
lib.peerc_track_id.argtypes = [ctypes.c_void_p]
lib.peerc_track_kind.argtypes = [ctypes.c_void_p]
lib.peerc_track_free.argtypes = [ctypes.c_void_p]
lib.peerc_media_kind_to_string.restype = ctypes.c_char_p
lib.peerc_track_last_error.restype = ctypes.c_char_p
options = (ctypes.c_uint8 * 512)()  # larger than peerc_track_options: size says how much
track = ctypes.c_void_p()
# bindings call the _sized variants with their own struct size: the library
# never writes past it (an older, shorter struct stays intact)
ok(lib.peerc_track_options_init_sized(options, ctypes.c_size_t(512), 2) == 0,
   "track options for video")
canary = (ctypes.c_uint8 * 64)(*([0xAB] * 64))
ok(lib.peerc_pc_config_init_sized(canary, ctypes.c_size_t(16)) == 0 and
   all(b == 0xAB for b in canary[16:]) and
   ctypes.cast(canary, ctypes.POINTER(ctypes.c_size_t))[0] == 16,
   "init_sized with an older, 16-byte struct writes 16 bytes and says so")
ok(lib.peerc_pc_config_init_sized(canary, ctypes.c_size_t(4)) == -1,
   "a size that cannot hold the size field is refused")
ok(lib.peerc_track_new(options, ctypes.byref(track)) == 0, "push video track")
ok(lib.peerc_media_kind_to_string(lib.peerc_track_kind(track)) == b"video", "track kind")
ok(len(lib.peerc_track_id(track)) == 36, "track id is a UUID: %s" % lib.peerc_track_id(track))
streams = (ctypes.c_char_p * 1)(b"py-stream")
pc2 = ctypes.c_void_p()
ok(lib.peerc_pc_new(ctx, None, None, None, ctypes.byref(pc2)) == 0, "second pc")
ok(lib.peerc_pc_add_track(pc2, track, streams, ctypes.c_size_t(1), None) == 0, "add_track")
ok(lib.peerc_pc_add_track(pc2, track, streams, ctypes.c_size_t(1), None) == -16,
   "twice -> InvalidAccessError")
sdp = ctypes.c_void_p()
ok(lib.peerc_pc_create_offer(pc2, None, ctypes.byref(sdp)) == 0, "offer with media")
text = ctypes.cast(sdp, ctypes.c_char_p).value.decode()
ok("m=video" in text and "VP8/90000" in text and "a=msid:py-stream " in text,
   "offer carries VP8 video and the stream id")
lib.peerc_free(sdp)
lib.peerc_pc_free(pc2)
lib.peerc_track_free(track)



class TrackOptions(ctypes.Structure):  # what a binding declares from media.h
    _fields_ = [("size", ctypes.c_size_t), ("kind", ctypes.c_int), ("source", ctypes.c_int),
                ("id", ctypes.c_char_p), ("width", ctypes.c_uint32),
                ("height", ctypes.c_uint32), ("fps", ctypes.c_uint32),
                ("tone_hz", ctypes.c_double), ("channels", ctypes.c_uint32),
                ("device", ctypes.c_char_p), ("codec", ctypes.c_int32)]


opts = TrackOptions()
lib.peerc_track_options_init_sized(ctypes.byref(opts), ctypes.c_size_t(ctypes.sizeof(opts)), 2)
ok(opts.size == ctypes.sizeof(TrackOptions) and opts.width == 640 and opts.fps == 30,
   "the struct layout matches the header (defaults 640x480@30)")
opts.source = 3  # PEERC_TRACK_SOURCE_CAMERA
opts.device = b"/dev/video-none"
track = ctypes.c_void_p()
rc = lib.peerc_track_new(ctypes.byref(opts), ctypes.byref(track))
ok(rc == -8, "camera: NotFoundError (%d: %s)"
   % (rc, lib.peerc_track_last_error().decode()))
lib.peerc_track_free(track)
lib.peerc_dc_free(dc)
lib.peerc_pc_free(pc)
lib.peerc_ctx_free(ctx)
ok(True, "freed")
print("1..%d" % count)
sys.exit(1 if failed else 0)
