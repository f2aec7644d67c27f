"""Evidence packs: gathering (assembly), drawing (render), hashing (manifest), checking (verify),
asking and storing (services), reads (selectors), pages (forms, views), background work (tasks)."""
