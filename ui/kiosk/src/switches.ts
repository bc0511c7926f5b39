// The feature and privacy switches set on the admin screen. Rust enforces them (a switched-off
// command is refused); the screens read them here so they do not offer what would be refused.

import type { FeaturesConfig, PrivacyConfig } from "../../shared/bindings";

let features: FeaturesConfig = { friendCalls: true, stylistCalls: true, staffRequests: true, tagScan: true, looks: true };
let privacy: PrivacyConfig = { snapshots: true, skinAnalysis: true, motionWake: true, analytics: true };

export function setSwitches(f: FeaturesConfig, p: PrivacyConfig): void {
  features = f;
  privacy = p;
}

export function feature(k: keyof FeaturesConfig): boolean {
  return features[k];
}

export function allowed(k: keyof PrivacyConfig): boolean {
  return privacy[k];
}
