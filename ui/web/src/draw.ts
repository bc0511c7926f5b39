// Strokes over the shopper's video: a canvas laid over the <video>, pointer events turned into
// points normalised to the picture (0–1 from its top left, letterboxing left out), and the board's
// strokes drawn back at the picture's size.

import { normalisedPoint } from "./board";
import type { Point, Stroke, StrokeColour } from "./wire";

export const COLOUR_CSS: Record<StrokeColour, string> = {
  white: "#ffffff",
  black: "#111111",
  red: "#ff3b30",
  yellow: "#ffd60a",
  green: "#34c759",
  blue: "#0a84ff",
  pink: "#ff6fae",
};

/** Where the picture sits inside the element (object-fit: contain), in CSS pixels. */
function pictureRect(video: HTMLVideoElement): { x: number; y: number; w: number; h: number } {
  const bw = video.clientWidth;
  const bh = video.clientHeight;
  const vw = video.videoWidth || bw;
  const vh = video.videoHeight || bh;
  if (!bw || !bh || !vw || !vh) return { x: 0, y: 0, w: bw, h: bh };
  const scale = Math.min(bw / vw, bh / vh);
  const w = vw * scale;
  const h = vh * scale;
  return { x: (bw - w) / 2, y: (bh - h) / 2, w, h };
}

export interface OverlayOptions {
  /** Whether a pointer on the picture draws now. */
  enabled: () => boolean;
  colour: () => StrokeColour;
  /** Thousandths of the picture's width. */
  width: () => number;
  /** One finished stroke (the page splits and sends it). */
  onStroke: (points: Point[]) => void;
}

export class Overlay {
  private strokes: Stroke[] = [];
  private current: Point[] | null = null;

  constructor(
    private readonly video: HTMLVideoElement,
    private readonly canvas: HTMLCanvasElement,
    private readonly options: OverlayOptions,
  ) {
    canvas.addEventListener("pointerdown", (e) => this.down(e));
    canvas.addEventListener("pointermove", (e) => this.move(e));
    canvas.addEventListener("pointerup", () => this.up());
    canvas.addEventListener("pointercancel", () => this.up());
    new ResizeObserver(() => this.render()).observe(canvas);
    video.addEventListener("resize", () => this.render());
    video.addEventListener("loadedmetadata", () => this.render());
  }

  /** The board's strokes changed. */
  setStrokes(strokes: Stroke[]): void {
    this.strokes = strokes;
    this.render();
  }

  private point(e: PointerEvent): Point {
    const box = this.canvas.getBoundingClientRect();
    const r = pictureRect(this.video);
    return normalisedPoint((e.clientX - box.left - r.x) / r.w, (e.clientY - box.top - r.y) / r.h);
  }

  private down(e: PointerEvent): void {
    if (!this.options.enabled()) return;
    e.preventDefault();
    this.canvas.setPointerCapture(e.pointerId);
    this.current = [this.point(e)];
    this.render();
  }

  private move(e: PointerEvent): void {
    if (!this.current) return;
    const p = this.point(e);
    const last = this.current[this.current.length - 1];
    // Points closer than a thousandth add nothing but bytes.
    if (last && Math.abs(last[0] - p[0]) < 0.001 && Math.abs(last[1] - p[1]) < 0.001) return;
    this.current.push(p);
    this.render();
  }

  private up(): void {
    const points = this.current;
    this.current = null;
    if (points && points.length >= 2) this.options.onStroke(points);
    this.render();
  }

  render(): void {
    const c = this.canvas;
    const dpr = window.devicePixelRatio || 1;
    const w = Math.round(c.clientWidth * dpr);
    const h = Math.round(c.clientHeight * dpr);
    if (c.width !== w || c.height !== h) {
      c.width = w;
      c.height = h;
    }
    const ctx = c.getContext("2d");
    if (!ctx) return;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, c.clientWidth, c.clientHeight);
    const r = pictureRect(this.video);
    const line = (points: Point[], colour: StrokeColour, width: number) => {
      if (points.length < 2) return;
      ctx.strokeStyle = COLOUR_CSS[colour];
      ctx.lineWidth = Math.max(1, (width / 1000) * r.w);
      ctx.lineCap = "round";
      ctx.lineJoin = "round";
      ctx.beginPath();
      points.forEach(([x, y], i) => {
        const px = r.x + x * r.w;
        const py = r.y + y * r.h;
        if (i === 0) ctx.moveTo(px, py);
        else ctx.lineTo(px, py);
      });
      ctx.stroke();
    };
    for (const s of this.strokes) line(s.points, s.colour, s.width);
    if (this.current) line(this.current, this.options.colour(), this.options.width());
  }
}
