//! Reassembles H.264 access units from RTP payloads (RFC 6184: single NAL units, STAP-A, FU-A).
//!
//! Our own, small and strict: the remote is untrusted, and a malformed aggregate must cost one
//! frame, never a panic. Output is Annex B (start codes), what `h264parse` and decoders take.

/// What one complete access unit looks like to the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessUnit {
    pub data: Vec<u8>,
    pub rtp_timestamp: u32,
    /// Contains an IDR slice or a sequence parameter set: decoding can start here.
    pub keyframe: bool,
}

const START_CODE: [u8; 4] = [0, 0, 0, 1];
const STAP_A: u8 = 24;
const FU_A: u8 = 28;
const NAL_IDR: u8 = 5;
const NAL_SPS: u8 = 7;
/// An access unit larger than this is hostile or broken (a 1080p I-frame is well under 1 MiB).
const MAX_ACCESS_UNIT_BYTES: usize = 4 * 1024 * 1024;

/// Collects the packets of one frame; a lost, reordered or malformed packet drops that frame.
#[derive(Debug, Default)]
pub struct FrameAssembler {
    buf: Vec<u8>,
    timestamp: Option<u32>,
    next_seq: Option<u16>,
    keyframe: bool,
    /// A fragmented NAL unit is open (its start was seen, its end not yet).
    fragment_open: bool,
    /// Something in the current frame is missing or bad: drop it at its end.
    broken: bool,
    dropped: u64,
}

impl FrameAssembler {
    /// Frames dropped so far because a packet was lost or malformed.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    /// Takes one RTP packet; returns the access unit it completes, if any.
    pub fn push(&mut self, seq: u16, timestamp: u32, marker: bool, payload: &[u8]) -> Option<AccessUnit> {
        if let Some(expected) = self.next_seq
            && expected != seq
        {
            self.broken = true;
        }
        self.next_seq = Some(seq.wrapping_add(1));
        if payload.is_empty() {
            // Padding (bandwidth probing): it takes a sequence number but belongs to no frame.
            return None;
        }
        if self.timestamp.is_some_and(|t| t != timestamp) {
            // The previous frame never saw its marker: it is incomplete.
            self.drop_current();
        }
        self.timestamp = Some(timestamp);
        if !self.broken && self.depacketize(payload).is_err() {
            self.broken = true;
        }
        if self.buf.len() > MAX_ACCESS_UNIT_BYTES {
            self.broken = true;
            self.buf.clear();
        }
        if !marker {
            return None;
        }
        if self.broken || self.buf.is_empty() || self.fragment_open {
            self.drop_current();
            return None;
        }
        let unit = AccessUnit {
            data: std::mem::take(&mut self.buf),
            rtp_timestamp: timestamp,
            keyframe: self.keyframe,
        };
        self.reset();
        Some(unit)
    }

    fn drop_current(&mut self) {
        if self.broken || !self.buf.is_empty() || self.fragment_open {
            self.dropped += 1;
        }
        self.buf.clear();
        self.reset();
    }

    fn reset(&mut self) {
        self.timestamp = None;
        self.keyframe = false;
        self.fragment_open = false;
        self.broken = false;
    }

    fn push_nal(&mut self, nal: &[u8]) -> Result<(), ()> {
        let header = *nal.first().ok_or(())?;
        self.note_type(header);
        self.buf.extend_from_slice(&START_CODE);
        self.buf.extend_from_slice(nal);
        Ok(())
    }

    fn note_type(&mut self, header: u8) {
        if matches!(header & 0x1f, NAL_IDR | NAL_SPS) {
            self.keyframe = true;
        }
    }

    fn depacketize(&mut self, payload: &[u8]) -> Result<(), ()> {
        let first = *payload.first().ok_or(())?;
        match first & 0x1f {
            1..=23 => {
                if self.fragment_open {
                    return Err(());
                }
                self.push_nal(payload)
            }
            STAP_A => {
                if self.fragment_open {
                    return Err(());
                }
                let mut rest = payload.get(1..).ok_or(())?;
                if rest.is_empty() {
                    return Err(());
                }
                while !rest.is_empty() {
                    let size_bytes = rest.get(..2).ok_or(())?;
                    let size = usize::from(u16::from_be_bytes([size_bytes[0], size_bytes[1]]));
                    let nal = rest.get(2..2 + size).ok_or(())?;
                    self.push_nal(nal)?;
                    rest = &rest[2 + size..];
                }
                Ok(())
            }
            FU_A => {
                let fu_header = *payload.get(1).ok_or(())?;
                let data = payload.get(2..).ok_or(())?;
                let start = fu_header & 0x80 != 0;
                let end = fu_header & 0x40 != 0;
                if start {
                    if self.fragment_open {
                        return Err(());
                    }
                    let header = (first & 0xe0) | (fu_header & 0x1f);
                    self.note_type(header);
                    self.buf.extend_from_slice(&START_CODE);
                    self.buf.push(header);
                    self.fragment_open = true;
                } else if !self.fragment_open {
                    return Err(());
                }
                self.buf.extend_from_slice(data);
                if end {
                    self.fragment_open = false;
                }
                Ok(())
            }
            // STAP-B, MTAP and FU-B need interleaved mode, which we never negotiate.
            _ => Err(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPS: [u8; 3] = [0x67, 0x42, 0x1f];
    const PPS: [u8; 2] = [0x68, 0xce];

    fn stap(nals: &[&[u8]]) -> Vec<u8> {
        let mut out = vec![0x78];
        for nal in nals {
            out.extend_from_slice(&(nal.len() as u16).to_be_bytes());
            out.extend_from_slice(nal);
        }
        out
    }

    fn annex_b(nals: &[&[u8]]) -> Vec<u8> {
        nals.iter()
            .flat_map(|n| START_CODE.iter().chain(n.iter()).copied())
            .collect()
    }

    #[test]
    fn a_keyframe_in_stap_a_and_fu_a_comes_out_as_annex_b() {
        let mut asm = FrameAssembler::default();
        let idr = [0x65, 1, 2, 3, 4, 5];
        assert_eq!(asm.push(10, 900, false, &stap(&[&SPS, &PPS])), None);
        // FU-A: indicator keeps NRI (0x60) with type 28, header carries type 5.
        assert_eq!(asm.push(11, 900, false, &[0x7c, 0x85, 1, 2, 3]), None);
        let unit = asm.push(12, 900, true, &[0x7c, 0x45, 4, 5]).unwrap();
        assert_eq!(unit.data, annex_b(&[&SPS, &PPS, &idr]));
        assert!(unit.keyframe);
        assert_eq!(unit.rtp_timestamp, 900);

        let unit = asm.push(13, 3900, true, &[0x41, 9, 9]).unwrap();
        assert_eq!(unit.data, annex_b(&[&[0x41, 9, 9]]));
        assert!(!unit.keyframe);
        assert_eq!(asm.dropped(), 0);
    }

    #[test]
    fn a_lost_packet_costs_only_its_frame() {
        let mut asm = FrameAssembler::default();
        assert_eq!(asm.push(1, 100, false, &[0x7c, 0x85, 1]), None);
        // seq 2 lost
        assert_eq!(asm.push(3, 100, true, &[0x7c, 0x45, 3]), None);
        assert_eq!(asm.dropped(), 1);
        assert!(asm.push(4, 200, true, &[0x41, 7]).is_some());
    }

    #[test]
    fn a_missing_marker_drops_the_frame_when_the_next_one_starts() {
        let mut asm = FrameAssembler::default();
        assert_eq!(asm.push(1, 100, false, &[0x41, 1]), None);
        let unit = asm.push(2, 200, true, &[0x41, 2]).unwrap();
        assert_eq!(unit.data, annex_b(&[&[0x41, 2]]));
        assert_eq!(asm.dropped(), 1);
    }

    #[test]
    fn malformed_payloads_never_panic_and_drop_the_frame() {
        let bad: [&[u8]; 6] = [
            &[0x78],
            &[0x78, 0x00],
            &[0x78, 0x00, 0x09, 0x41],
            &[0x7c],
            &[0x7c, 0x05, 1],
            &[0x79, 1, 2],
        ];
        let mut asm = FrameAssembler::default();
        for (i, payload) in bad.iter().enumerate() {
            let ts = i as u32 * 10;
            assert_eq!(asm.push(i as u16, ts, true, payload), None, "payload {i}");
        }
        assert_eq!(asm.dropped(), bad.len() as u64);
        assert!(asm.push(bad.len() as u16, 999, true, &[0x41, 1]).is_some());
    }

    #[test]
    fn padding_packets_take_a_sequence_number_without_breaking_a_frame() {
        let mut asm = FrameAssembler::default();
        assert_eq!(asm.push(1, 100, false, &[0x7c, 0x85, 1]), None);
        assert_eq!(asm.push(2, 100, false, &[]), None);
        assert!(asm.push(3, 100, true, &[0x7c, 0x45, 3]).is_some());
        assert_eq!(asm.push(4, 100, false, &[]), None);
        assert!(asm.push(5, 200, true, &[0x41, 1]).is_some());
        assert_eq!(asm.dropped(), 0);
    }

    #[test]
    fn sequence_numbers_wrap() {
        let mut asm = FrameAssembler::default();
        assert!(asm.push(u16::MAX, 1, true, &[0x41, 1]).is_some());
        assert!(asm.push(0, 2, true, &[0x41, 2]).is_some());
        assert_eq!(asm.dropped(), 0);
    }
}
