#!/usr/bin/env -S node --max-semi-space-size=1
// A 1 MB young generation keeps an idle daemon's resident memory ~9 MB lower; minor GCs stay
// sub-millisecond at the daemon's allocation rates (see `npm run bench`).
import { launch } from "./launch.js";

await launch("daemon/entry");
