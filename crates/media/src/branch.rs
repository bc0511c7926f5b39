//! Branches hanging off the camera's tees, added and removed while the camera runs.

use std::time::Duration;

use gstreamer as gst;
use gstreamer::prelude::*;

use crate::MediaError;

fn build_err(e: impl std::fmt::Display) -> MediaError {
    MediaError::Build(e.to_string())
}

/// A branch hanging off a tee: its bin and the tee pad it takes.
pub(crate) struct Branch {
    bin: gst::Bin,
    tee_pad: gst::Pad,
}

impl Branch {
    pub(crate) fn bin(&self) -> &gst::Bin {
        &self.bin
    }
}

pub(crate) fn last_element(bin: &gst::Bin) -> Result<gst::Element, MediaError> {
    bin.iterate_sinks()
        .into_iter()
        .flatten()
        .next()
        .ok_or_else(|| MediaError::Build("the branch has no sink".into()))
}

/// A sink added to a running pipeline must not wait for preroll, or the pipeline stalls.
pub(crate) fn quiet_sink(sink: &gst::Element) {
    if sink.find_property("async").is_some() {
        sink.set_property("async", false);
    }
}

pub(crate) fn add_branch(
    pipeline: &gst::Pipeline,
    tee: &gst::Element,
    bin: gst::Bin,
) -> Result<Branch, MediaError> {
    for sink in bin.iterate_sinks().into_iter().flatten() {
        quiet_sink(&sink);
    }
    pipeline.add(&bin).map_err(build_err)?;
    let tee_pad = tee
        .request_pad_simple("src_%u")
        .ok_or_else(|| MediaError::Build("the tee gave no pad".into()))?;
    let sink_pad = bin
        .static_pad("sink")
        .ok_or_else(|| MediaError::Build("the branch has no input".into()))?;
    bin.sync_state_with_parent()
        .map_err(|e| MediaError::State(e.to_string()))?;
    tee_pad.link(&sink_pad).map_err(build_err)?;
    Ok(Branch { bin, tee_pad })
}

/// Unlinks a branch when no buffer is passing its tee pad, then shuts it down.
pub(crate) fn remove_branch(pipeline: &gst::Pipeline, branch: Branch) {
    let (tx, rx) = std::sync::mpsc::sync_channel::<()>(1);
    let bin = branch.bin.clone();
    branch.tee_pad.add_probe(gst::PadProbeType::IDLE, move |pad, _| {
        if let Some(peer) = pad.peer() {
            let _ = pad.unlink(&peer);
        }
        let _ = tx.try_send(());
        gst::PadProbeReturn::Remove
    });
    if rx.recv_timeout(Duration::from_secs(2)).is_err() {
        tracing::warn!("a branch did not go idle in 2 s; removing it anyway");
        if let Some(peer) = branch.tee_pad.peer() {
            let _ = branch.tee_pad.unlink(&peer);
        }
    }
    if let Some(tee) = branch.tee_pad.parent_element() {
        tee.release_request_pad(&branch.tee_pad);
    }
    let _ = bin.set_state(gst::State::Null);
    let _ = pipeline.remove(&bin);
}
