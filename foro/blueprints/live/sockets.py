"""The live session over Socket.IO (helper B is writing it)."""
