# lib/media sources: built-in test sources on their own thread, V4L2 and ALSA capture
