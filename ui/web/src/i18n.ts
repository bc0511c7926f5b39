// The web clients' strings in English and Simplified Chinese. The zh-CN table is typed against the
// English one, so a missing translation fails `npm run check`. The language comes from
// navigator.language the first time, then from the switch (kept in localStorage).

import type { Language } from "../../shared/bindings";

const en = {
  langSwitch: "中文",
  // Friend page
  friendTitle: "Join the fitting room",
  friendIntro: "A friend in a fitting room wants your opinion. Type the 6-character code shown on the mirror.",
  codeLabel: "Code",
  nameLabel: "Your name (optional)",
  joinButton: "Join",
  joining: "Joining…",
  waitingForVideo: "Connecting to the mirror…",
  receiveOnly: "Camera and microphone are off: you can watch, vote and chat.",
  youAreLive: "Your camera and microphone are on",
  leave: "Leave",
  callEnded: "The call has ended. Thank you!",
  reconnecting: "Reconnecting…",
  inviteUsed: "This invite has already been used. Ask for a new QR code or code on the mirror.",
  inviteExpired: "This invite has expired. Ask for a new one on the mirror.",
  inviteUnknown: "That code is not valid. Check it and try again.",
  kioskOffline: "The fitting-room mirror is offline right now. Try again in a moment.",
  callFull: "The call is full (three people are already in it).",
  rateLimited: "Too many tries. Wait a minute and try again.",
  sessionExpired: "Your session has expired. Sign in again.",
  genericError: "Something went wrong: {message}",
  noConnection: "Cannot reach the store. Check your connection.",
  cards: "Suggestions",
  noCards: "Suggestions from the stylist appear here.",
  vote_keep: "Keep",
  vote_skip: "Skip",
  vote_sizeUp: "Size up",
  chat: "Chat",
  chatPlaceholder: "Say something…",
  send: "Send",
  draw: "Draw",
  drawing: "Drawing — touch the video",
  clearMine: "Clear my drawing",
  clearAll: "Clear all drawing",
  boardWaiting: "Board connecting…",
  boardError: "The mirror did not accept that ({code}).",
  someone: "Someone",
  shopper: "Shopper",
  size: "Size {size}",
  // Stylist console
  consoleTitle: "Atelier stylist console",
  username: "Username",
  password: "Password",
  signIn: "Sign in",
  signOut: "Sign out",
  badCredentials: "Wrong name or password.",
  onDuty: "On duty",
  offDuty: "Off duty",
  goOnDuty: "Go on duty",
  goOffDuty: "Go off duty",
  queue: "Queue",
  queueEmpty: "Nobody is waiting.",
  queueOffDuty: "Go on duty to see the queue.",
  queueTotal: "{n} waiting",
  colleaguesOnDuty: "On duty: {names}",
  accept: "Accept",
  decline: "Decline",
  store: "Store",
  room: "Room",
  waiting: "Waiting {time}",
  garments: "Tried on",
  lookOnScreen: "On the mirror",
  noGarments: "Nothing scanned yet",
  callWith: "Call with {store} · {room}",
  noCall: "No call. Accept a request from the queue.",
  hangUp: "End call",
  transferTo: "Transfer to…",
  transfer: "Transfer",
  transferOffer: "{name} offers you a call from {store} · {room}",
  transferFailed: "The transfer did not happen ({reason}).",
  catalog: "Catalog",
  searchPlaceholder: "Name, SKU or category",
  search: "Search",
  noResults: "No products found.",
  inStore: "{n} in store",
  soldOutHere: "Not in stock here",
  push: "Show on mirror",
  notePlaceholder: "Note for the shopper (optional)",
  anyColour: "Any colour",
  anySize: "Any size",
  notes: "Session notes (private, kept on this computer)",
  members: "In the call",
  away: "reconnecting",
  socketDown: "Connection lost — reconnecting…",
  socketUp: "Connected",
  // Staff page
  staffTitle: "Atelier · fitting-room requests",
  staffIntro: "Shoppers ask for another size or colour from the mirror. Answer so they know someone is coming.",
  staffNone: "No requests right now.",
  staffWaiting: "waiting {time}",
  staffOnMyWay: "On my way",
  staffNotInStock: "Not in stock",
  staffSuggest: "Suggest instead (optional)",
  staffArrived: "Arrived",
  staffTakenBy: "{name} is on the way",
  staffNotInStockBy: "{name}: not in stock",
  staffNotStaff: "This page is for store staff accounts.",
};

export type MessageKey = keyof typeof en;

const zhCN: Record<MessageKey, string> = {
  langSwitch: "English",
  friendTitle: "加入试衣间",
  friendIntro: "试衣间里的朋友想听听你的意见。请输入镜子上显示的 6 位代码。",
  codeLabel: "代码",
  nameLabel: "你的名字（可选）",
  joinButton: "加入",
  joining: "正在加入…",
  waitingForVideo: "正在连接试衣镜…",
  receiveOnly: "摄像头和麦克风未开启：你可以观看、投票和聊天。",
  youAreLive: "你的摄像头和麦克风已开启",
  leave: "离开",
  callEnded: "通话已结束。谢谢！",
  reconnecting: "正在重新连接…",
  inviteUsed: "此邀请已被使用。请在镜子上获取新的二维码或代码。",
  inviteExpired: "此邀请已过期。请在镜子上获取新的邀请。",
  inviteUnknown: "代码无效。请检查后重试。",
  kioskOffline: "试衣镜暂时离线。请稍后再试。",
  callFull: "通话人数已满（已有三人）。",
  rateLimited: "尝试次数过多。请等一分钟再试。",
  sessionExpired: "登录已过期。请重新登录。",
  genericError: "出现问题：{message}",
  noConnection: "无法连接门店。请检查网络。",
  cards: "推荐",
  noCards: "造型师推荐的单品会显示在这里。",
  vote_keep: "留下",
  vote_skip: "不要",
  vote_sizeUp: "大一码",
  chat: "聊天",
  chatPlaceholder: "说点什么…",
  send: "发送",
  draw: "画笔",
  drawing: "画笔已开启——在视频上画",
  clearMine: "清除我的笔迹",
  clearAll: "清除全部笔迹",
  boardWaiting: "互动板连接中…",
  boardError: "试衣镜未接受该操作（{code}）。",
  someone: "有人",
  shopper: "顾客",
  size: "{size} 码",
  consoleTitle: "Atelier 造型师工作台",
  username: "用户名",
  password: "密码",
  signIn: "登录",
  signOut: "退出",
  badCredentials: "用户名或密码错误。",
  onDuty: "值班中",
  offDuty: "未值班",
  goOnDuty: "开始值班",
  goOffDuty: "结束值班",
  queue: "排队",
  queueEmpty: "目前没有人排队。",
  queueOffDuty: "开始值班后可查看排队。",
  queueTotal: "{n} 位等待中",
  colleaguesOnDuty: "值班同事：{names}",
  accept: "接受",
  decline: "拒绝",
  store: "门店",
  room: "试衣间",
  waiting: "已等待 {time}",
  garments: "试穿过",
  lookOnScreen: "镜中搭配",
  noGarments: "尚未扫描商品",
  callWith: "与 {store} · {room} 通话中",
  noCall: "当前没有通话。请从排队中接受请求。",
  hangUp: "结束通话",
  transferTo: "转接给…",
  transfer: "转接",
  transferOffer: "{name} 想把 {store} · {room} 的通话转给你",
  transferFailed: "转接未成功（{reason}）。",
  catalog: "商品目录",
  searchPlaceholder: "名称、货号或品类",
  search: "搜索",
  noResults: "未找到商品。",
  inStore: "本店 {n} 件",
  soldOutHere: "本店无货",
  push: "推送到镜子",
  notePlaceholder: "给顾客的留言（可选）",
  anyColour: "任意颜色",
  anySize: "任意尺码",
  notes: "本次通话笔记（仅保存在本机，不会发送）",
  members: "通话成员",
  away: "重新连接中",
  socketDown: "连接中断——正在重新连接…",
  socketUp: "已连接",
  staffTitle: "Atelier · 试衣间需求",
  staffIntro: "顾客在镜子上请求换尺码或颜色。请回复，让顾客知道有人过来。",
  staffNone: "暂时没有请求。",
  staffWaiting: "已等待 {time}",
  staffOnMyWay: "我这就过去",
  staffNotInStock: "暂无库存",
  staffSuggest: "推荐替代（可选）",
  staffArrived: "已送到",
  staffTakenBy: "{name} 正在过去",
  staffNotInStockBy: "{name}：暂无库存",
  staffNotStaff: "此页面仅供门店店员账号使用。",
};

const tables: Record<Language, Record<MessageKey, string>> = { en, "zh-CN": zhCN };
const STORAGE_KEY = "atelier.web.language";

let current: Language = initialLanguage();
const listeners: (() => void)[] = [];

function initialLanguage(): Language {
  try {
    const kept = localStorage.getItem(STORAGE_KEY);
    if (kept === "en" || kept === "zh-CN") return kept;
  } catch {
    // Storage may be off (private mode): fall through.
  }
  return (navigator.language || "").toLowerCase().startsWith("zh") ? "zh-CN" : "en";
}

export function language(): Language {
  return current;
}

/** Switches the language, keeps the choice, and tells the page to redraw. */
export function setLanguage(lang: Language): void {
  current = lang;
  document.documentElement.lang = lang;
  try {
    localStorage.setItem(STORAGE_KEY, lang);
  } catch {
    // Not kept; the switch still works for this page.
  }
  for (const l of listeners) l();
}

export function toggleLanguage(): void {
  setLanguage(current === "en" ? "zh-CN" : "en");
}

export function onLanguageChange(l: () => void): void {
  listeners.push(l);
}

/** The message in the current language, with `{name}` placeholders filled in. */
export function t(key: MessageKey, params: Record<string, string | number> = {}): string {
  return tables[current][key].replace(/\{(\w+)\}/g, (_, name: string) => String(params[name] ?? `{${name}}`));
}

/** Is `key` a message? (For codes from the wire mapped to messages.) */
export function isKey(key: string): key is MessageKey {
  return key in en;
}

/** A price in the currency's minor unit. */
export function money(minor: number, currency: string): string {
  try {
    return new Intl.NumberFormat(current, { style: "currency", currency }).format(minor / 100);
  } catch {
    return `${currency} ${(minor / 100).toFixed(2)}`;
  }
}

/** A duration as m:ss or h:mm:ss. */
export function clock(totalSecs: number): string {
  const s = Math.max(0, Math.floor(totalSecs));
  const hh = Math.floor(s / 3600);
  const mm = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, "0");
  return hh > 0 ? `${hh}:${String(mm).padStart(2, "0")}:${ss}` : `${mm}:${ss}`;
}

document.documentElement.lang = current;
