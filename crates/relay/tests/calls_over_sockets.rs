//! The call core behind the real relay on 127.0.0.1: a demo kiosk, the demo stylist and a friend over real
//! WebSockets on `/call` — queue, accept, ICE servers, signal relaying, invites, bad frames, resume.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test panics on purpose when its set-up fails

use std::time::{Duration, Instant};

use atelier_relay::calls::{CallConfig, DEMO_DEVICE_ID, DEMO_DEVICE_KEY, IceConfig, PasswordCost};
use atelier_relay::server::{ServeOptions, serve};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

const TURN_SECRET: &str = "north-wind";
const SDP_OFFER: &str = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n";
const SDP_ANSWER: &str = "v=0\r\no=- 3 4 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n";
const CANDIDATE: &str = "candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host";

async fn start(turn: bool) -> (std::net::SocketAddr, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let path = dir.path().to_owned();
    let mut calls = CallConfig::default();
    if turn {
        calls.ice = IceConfig {
            urls: vec![
                "stun:turn.test:3478".into(),
                "turn:turn.test:3478?transport=udp".into(),
            ],
            turn_secret: Some(TURN_SECRET.into()),
            ttl: Duration::from_secs(3600),
        };
    }
    let options = ServeOptions {
        calls,
        password_cost: PasswordCost::MINIMAL,
        demo: true,
        ..ServeOptions::default()
    };
    tokio::spawn(async move {
        serve(listener, &path, options, std::future::pending())
            .await
            .unwrap();
    });
    (addr, dir)
}

async fn http_get(addr: std::net::SocketAddr, path: &str) -> String {
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.write_all(format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").as_bytes())
        .await
        .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).await.unwrap();
    out
}

/// One `/call` socket.
struct Peer {
    name: &'static str,
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

impl Peer {
    async fn connect(addr: std::net::SocketAddr, name: &'static str) -> Self {
        let (ws, _) = tokio_tungstenite::connect_async(format!("ws://{addr}/call"))
            .await
            .unwrap();
        Self { name, ws }
    }

    async fn send(&mut self, msg: Value) {
        self.ws.send(Message::text(msg.to_string())).await.unwrap();
    }

    /// The next text message, or `None` once the relay closed the socket.
    async fn next(&mut self) -> Option<Value> {
        loop {
            let frame = tokio::time::timeout(Duration::from_secs(2), self.ws.next())
                .await
                .unwrap_or_else(|_| panic!("{}: nothing from the relay within 2 s", self.name));
            match frame {
                Some(Ok(Message::Text(t))) => return Some(serde_json::from_str(&t).unwrap()),
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return None,
                Some(Ok(_)) => continue,
            }
        }
    }

    /// Skips messages until one of type `ty` that satisfies `pred`.
    async fn until(&mut self, ty: &str, pred: impl Fn(&Value) -> bool) -> Value {
        loop {
            let msg = self
                .next()
                .await
                .unwrap_or_else(|| panic!("{}: closed while waiting for {ty}", self.name));
            if msg["type"] == ty && pred(&msg) {
                return msg;
            }
            eprintln!("{}: skipped {msg}", self.name);
        }
    }

    async fn expect(&mut self, ty: &str) -> Value {
        self.until(ty, |_| true).await
    }
}

async fn kiosk(addr: std::net::SocketAddr) -> Peer {
    let mut k = Peer::connect(addr, "kiosk").await;
    k.send(
        json!({"type": "kioskHello", "protocol": 1, "deviceId": DEMO_DEVICE_ID,
        "deviceKey": DEMO_DEVICE_KEY, "session": "shopper-1"}),
    )
    .await;
    let auth = k.expect("authenticated").await;
    assert_eq!(auth["role"], "kiosk", "{auth}");
    assert_eq!(auth["displayName"], "Room 1", "{auth}");
    k
}

/// The demo stylist, signed in and on duty; returns the session token too.
async fn stylist(addr: std::net::SocketAddr) -> (Peer, String) {
    let mut s = Peer::connect(addr, "stylist").await;
    s.send(json!({"type": "login", "protocol": 1, "username": "demo-stylist", "password": "demo"}))
        .await;
    let auth = s.expect("authenticated").await;
    assert_eq!(auth["role"], "stylist", "{auth}");
    let token = auth["token"].as_str().expect("a session token").to_owned();
    s.send(json!({"type": "setDuty", "onDuty": true})).await;
    (s, token)
}

/// Kiosk asks, stylist sees the request with its context and accepts; returns the leg and both `legStarted`.
async fn call_up(kiosk: &mut Peer, stylist: &mut Peer) -> (u64, Value, Value) {
    kiosk
        .send(
            json!({"type": "requestStylist", "context": {"garments": ["SKU-1", "SKU-2"],
            "look": {"summary": "navy blazer, white tee"}}}),
        )
        .await;
    let status = kiosk.expect("queueStatus").await;
    assert_eq!(status["position"], 1, "{status}");
    let queue = stylist
        .until("queue", |m| {
            m["entries"].as_array().is_some_and(|e| !e.is_empty())
        })
        .await;
    let view = &queue["entries"][0]["view"];
    assert_eq!(view["deviceId"], DEMO_DEVICE_ID, "{queue}");
    assert_eq!(view["storeId"], "demo-sh", "{queue}");
    assert_eq!(view["room"], "Room 1", "{queue}");
    assert_eq!(view["context"]["garments"], json!(["SKU-1", "SKU-2"]), "{queue}");
    assert_eq!(
        view["context"]["look"]["summary"], "navy blazer, white tee",
        "{queue}"
    );
    stylist
        .send(json!({"type": "accept", "request": view["request"]}))
        .await;
    let ended = kiosk.expect("requestEnded").await;
    assert_eq!(ended["reason"], "accepted", "{ended}");
    let s_started = stylist.expect("legStarted").await;
    let k_started = kiosk.expect("legStarted").await;
    assert_eq!(k_started["leg"], s_started["leg"]);
    assert_eq!(k_started["offerer"], true, "{k_started}");
    assert_eq!(s_started["offerer"], false, "{s_started}");
    assert_eq!(
        s_started["request"]["context"]["garments"][0], "SKU-1",
        "{s_started}"
    );
    (s_started["leg"].as_u64().unwrap(), k_started, s_started)
}

fn signal(leg: u64, signal: Value) -> Value {
    json!({"type": "signal", "leg": leg, "signal": signal})
}

#[tokio::test]
async fn a_kiosk_gets_a_stylist_signals_and_invites_a_friend() {
    let t0 = Instant::now();
    let (addr, _dir) = start(true).await;
    let mut k = kiosk(addr).await;
    let (mut s, _) = stylist(addr).await;
    let (leg, k_started, s_started) = call_up(&mut k, &mut s).await;

    // Each end gets STUN as is and TURN with a coturn REST credential of its own.
    for (started, side) in [(&k_started, "k"), (&s_started, "r")] {
        let servers = started["iceServers"].as_array().unwrap();
        assert_eq!(servers.len(), 2, "{started}");
        assert_eq!(servers[0]["urls"], json!(["stun:turn.test:3478"]));
        assert!(servers[0].get("credential").is_none());
        let user = servers[1]["username"].as_str().unwrap();
        let (expiry, label) = user.split_once(':').unwrap();
        assert!(expiry.parse::<u64>().is_ok(), "{user}");
        assert!(label.ends_with(&format!("-leg{leg}-{side}")), "{user}");
        let (_, expected) =
            atelier_relay::calls::turn_credential(TURN_SECRET, label, expiry.parse().unwrap());
        assert_eq!(servers[1]["credential"], expected.as_str());
    }

    // Offer, answer and a candidate go between the two ends of the leg, unchanged.
    k.send(signal(leg, json!({"type": "offer", "sdp": SDP_OFFER})))
        .await;
    let got = s.expect("signal").await;
    assert_eq!(got["leg"], leg);
    assert_eq!(got["signal"], json!({"type": "offer", "sdp": SDP_OFFER}));
    s.send(signal(leg, json!({"type": "answer", "sdp": SDP_ANSWER})))
        .await;
    let cand = json!({"type": "candidate", "candidate": CANDIDATE, "sdpMid": "0", "sdpMLineIndex": 0});
    s.send(signal(leg, cand.clone())).await;
    assert_eq!(k.expect("signal").await["signal"]["sdp"], SDP_ANSWER);
    assert_eq!(k.expect("signal").await["signal"]["candidate"], CANDIDATE);

    // A friend joins by the short code, typed in lower case with a dash; the code works once.
    k.send(json!({"type": "createInvite"})).await;
    let invite = k.expect("inviteCreated").await;
    let code = invite["code"].as_str().unwrap().to_owned();
    assert_eq!(code.len(), 6);
    assert_eq!(invite["token"].as_str().unwrap().len(), 43);
    let typed = format!("{}-{}", &code[..3], &code[3..]).to_lowercase();
    let mut f = Peer::connect(addr, "friend").await;
    f.send(json!({"type": "joinInvite", "protocol": 1, "invite": typed, "displayName": "Ana"}))
        .await;
    let auth = f.expect("authenticated").await;
    assert_eq!(auth["role"], "friend", "{auth}");
    assert!(
        auth["token"].as_str().is_some_and(|t| t.len() == 43),
        "a resume token"
    );
    let f_started = f.expect("legStarted").await;
    let f_leg = f_started["leg"].as_u64().unwrap();
    assert_ne!(f_leg, leg);
    assert_eq!(f_started["call"], s_started["call"], "same call");
    let k_friend = k.until("legStarted", |m| m["leg"] == f_leg).await;
    assert_eq!(k_friend["peer"]["displayName"], "Ana");

    // The friend may not signal on the stylist's leg.
    f.send(signal(leg, json!({"type": "offer", "sdp": SDP_OFFER})))
        .await;
    assert_eq!(f.expect("error").await["code"], "notInCall");

    let mut again = Peer::connect(addr, "second friend").await;
    again
        .send(json!({"type": "joinInvite", "protocol": 1, "invite": code}))
        .await;
    let refused = again.expect("error").await;
    assert_eq!(refused["code"], "inviteUsed", "{refused}");

    let health = http_get(addr, "/healthz").await;
    assert!(health.contains("\"calls\":1"), "{health}");
    assert!(t0.elapsed() < Duration::from_secs(2), "{:?}", t0.elapsed());
}

#[tokio::test]
async fn bad_frames_are_refused_and_the_relay_carries_on() {
    let t0 = Instant::now();
    let (addr, _dir) = start(false).await;
    let mut p = Peer::connect(addr, "garbage").await;
    p.send(json!({"type": "createInvite"})).await;
    assert_eq!(p.expect("error").await["code"], "authRequired");
    p.ws.send(Message::text("{\"type\": 12")).await.unwrap();
    let reply = p.expect("error").await;
    assert_eq!(reply["code"], "badMessage", "{reply}");
    assert!(
        !reply.to_string().contains("column"),
        "no parser internals: {reply}"
    );
    // Over the 64 KiB cap but within the frame limit: answered, then the third bad message closes.
    p.ws.send(Message::text("x".repeat(100 * 1024))).await.unwrap();
    let reply = p.next().await.expect("an answer");
    assert_eq!(reply["code"], "rateLimited", "{reply}");
    assert!(p.next().await.is_none(), "closed after three bad messages");

    // Beyond the frame limit: the socket ends, nothing else does.
    let mut big = Peer::connect(addr, "huge").await;
    let _ = big.ws.send(Message::text("y".repeat(300 * 1024))).await;
    assert!(big.next().await.is_none());

    // A wrong device key is refused with the fixed sentence.
    let mut wrong = Peer::connect(addr, "wrong key").await;
    wrong
        .send(json!({"type": "kioskHello", "protocol": 1, "deviceId": DEMO_DEVICE_ID, "deviceKey": "guess"}))
        .await;
    let refused = wrong.expect("error").await;
    assert_eq!(refused["code"], "badCredentials", "{refused}");

    assert!(http_get(addr, "/healthz").await.starts_with("HTTP/1.1 200"));
    let mut k = kiosk(addr).await;
    k.send(json!({"type": "ping", "seq": 7})).await;
    assert_eq!(k.expect("pong").await["seq"], 7);
    assert!(t0.elapsed() < Duration::from_secs(2), "{:?}", t0.elapsed());
}

#[tokio::test]
async fn a_stylist_whose_socket_drops_resumes_with_the_token() {
    let t0 = Instant::now();
    let (addr, _dir) = start(false).await;
    let mut k = kiosk(addr).await;
    let (mut s, token) = stylist(addr).await;
    let (leg, k_started, _) = call_up(&mut k, &mut s).await;
    // No TURN configured: no ICE servers, host candidates only.
    assert_eq!(k_started["iceServers"], json!([]), "{k_started}");

    drop(s);
    let away = k.expect("peerAway").await;
    assert_eq!(away["leg"], leg);
    assert_eq!(away["graceSecs"], 30);
    // Meanwhile a signal to the absent stylist is answered, not lost silently.
    k.send(signal(leg, json!({"type": "offer", "sdp": SDP_OFFER})))
        .await;
    assert_eq!(k.expect("error").await["code"], "peerAway");

    let mut back = Peer::connect(addr, "stylist again").await;
    back.send(json!({"type": "resume", "protocol": 1, "token": token}))
        .await;
    let auth = back.expect("authenticated").await;
    assert_eq!(auth["role"], "stylist", "{auth}");
    assert_eq!(auth["onDuty"], true, "{auth}");
    let resumed = back.expect("legResumed").await;
    assert_eq!(resumed["leg"], leg);
    let rejoined = k.expect("peerRejoined").await;
    assert_eq!(rejoined["leg"], leg);

    // The kiosk offers again (ICE restart) and the new socket gets it.
    k.send(signal(leg, json!({"type": "offer", "sdp": SDP_OFFER})))
        .await;
    assert_eq!(back.expect("signal").await["signal"]["type"], "offer");

    // A token that was never issued is refused.
    let mut stranger = Peer::connect(addr, "stranger").await;
    stranger
        .send(json!({"type": "resume", "protocol": 1, "token": "x".repeat(43)}))
        .await;
    assert_eq!(stranger.expect("error").await["code"], "sessionExpired");
    assert!(t0.elapsed() < Duration::from_secs(2), "{:?}", t0.elapsed());
}
