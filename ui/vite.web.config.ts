import { defineConfig } from "vite";

// The web clients served by the relay (friend page at /join, stylist console at /stylist) are built
// into ui/dist/web; the relay serves the two pages and web/assets/ from there (docs/WEB.md).
export default defineConfig({
  root: "web",
  base: "/web/",
  build: {
    outDir: "../dist/web",
    emptyOutDir: true,
    // Phones a few years old: Safari 15, Chrome 100.
    target: ["safari15", "chrome100", "firefox100"],
    assetsInlineLimit: 0,
    sourcemap: false,
    // No inline scripts: the relay's content security policy allows scripts from itself only.
    modulePreload: { polyfill: false },
    rollupOptions: {
      input: { join: "web/join.html", stylist: "web/stylist.html", staff: "web/staff.html" },
    },
  },
  clearScreen: false,
});
