"""Evidence packs: gathering (assembly), drawing (render), hashing (manifest), checking (verify)."""
