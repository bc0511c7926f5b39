import { defineConfig } from "vite";

// The kiosk front end is built into ui/dist/kiosk and embedded in the `atelier` binary by Tauri.
export default defineConfig({
  root: "kiosk",
  base: "/",
  build: {
    outDir: "../dist/kiosk",
    emptyOutDir: true,
    target: "safari16",
    assetsInlineLimit: 0,
    sourcemap: false,
  },
  clearScreen: false,
});
