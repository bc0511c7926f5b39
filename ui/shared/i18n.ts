// UI strings in English and Simplified Chinese. The zh-CN table is typed against the English one,
// so a missing translation is a compile error (`npm run check`, part of the test command).

import type { Language } from "./bindings";

const en = {
  brand: "Atelier",
  tapToStart: "Tap to start",
  attractHint: "Your personal fitting-room mirror",
  langZh: "中文",
  langEn: "English",
  languageLabel: "Language",
  welcome: "Welcome",
  sessionHint: "Take your time. Ask for another size or a second opinion without leaving the room.",
  privacyNote: "Nothing is recorded. Everything from this visit is erased when you end the session.",
  sessionTime: "In session for {time}",
  endSession: "End session — erase everything",
  stillThereTitle: "Still there?",
  stillThereBody: "This session ends in {n} s and everything is erased.",
  stillHere: "I'm still here",
  relayConnected: "Store link connected",
  relayConnecting: "Connecting to the store…",
  relayOffline: "Offline — the mirror works on its own",
  relayDisabled: "Standalone mirror",
  adminPinTitle: "Staff PIN",
  adminPinHint: "Enter the staff PIN to open the settings.",
  pinWrong: "Wrong PIN. {n} tries left before a pause.",
  pinLocked: "Too many wrong PINs. Try again in {n} s.",
  cancel: "Cancel",
  ok: "OK",
  deleteDigit: "Delete",
  adminTitle: "Kiosk settings",
  adminClose: "Close",
  adminKiosk: "This kiosk",
  adminDevice: "Device",
  adminStore: "Store",
  adminRoom: "Room",
  adminVersion: "Version",
  adminDisplay: "Display",
  adminOrientation: "Orientation",
  adminRotation: "Rotation",
  portrait: "Portrait",
  landscape: "Landscape",
  adminRelay: "Store relay",
  adminRelayUrl: "Address",
  adminRelayState: "State",
  adminRelayError: "Last problem",
  adminRelayRtt: "Round trip",
  adminRelayRetry: "Next try in",
  adminProblems: "Problems found at start-up",
  adminNoProblems: "No problems: the configuration is valid.",
  adminProblemLine: "line {n}",
  adminFiles: "Files",
  adminDataDir: "Data folder",
  adminConfigFile: "Config file",
  adminProblemsBadge: "{n} problem(s) — see settings",
  demoBadge: "Demo",
  cameraLive: "Camera on — nothing is recorded",
  cameraStarting: "Starting the camera…",
  cameraUnavailable: "No camera — the mirror works without a picture",
  cameraTest: "Test camera",
  cameraDisconnected: "Camera disconnected — it resumes when plugged back in",
  videoLeaving: "Live — your video is being sent",
  tagTitle: "You're holding",
  tagNotFound: "We couldn't find this tag in the store's catalog. A staff member can help.",
  tagClose: "Close",
  photoTake: "Take a photo",
  photoHint: "Photos stay on this mirror and are erased when you end the session.",
  photoFailed: "No photo: the camera is not ready.",
  photoDelete: "Delete photo",
  photoCompare: "Compare",
  photoCompareHint: "Pick two photos to see them side by side.",
  compareTitle: "Side by side",
  flattering: "Flattering light",
  looks: "Looks for you",
  looksTitle: "Looks for you",
  looksLoading: "Putting looks together…",
  looksEmpty: "No complete look is in stock here for these choices. Try another size, occasion or budget.",
  pickOccasion: "Occasion",
  pickSize: "Size",
  pickShoeSize: "Shoes",
  pickBudget: "Budget",
  budgetAny: "Any",
  budgetUpTo: "Up to ¥{n}",
  occasionAny: "Any",
  occasionWork: "Work",
  occasionCasual: "Casual",
  occasionDate: "Date",
  occasionParty: "Party",
  occasionTravel: "Travel",
  occasionWedding: "Wedding guest",
  lookTotal: "The look: {total}",
  inHand: "in your hands",
  bringMe: "Bring me this",
  bringMeSent: "Staff notified — they're on their way",
  bringMeFailed: "Could not reach staff — please ask at the counter",
  adminCamera: "Camera",
  adminCameraState: "State",
  adminCameraSource: "Source",
  adminCameraFault: "Last problem",
  none: "—",
  browse: "Browse the collection",
  browseTitle: "The collection",
  back: "Back",
  allCategories: "All",
  cat_top: "Tops",
  cat_bottom: "Trousers",
  cat_dress: "Dresses",
  cat_skirt: "Skirts",
  cat_outerwear: "Outerwear",
  cat_knitwear: "Knitwear",
  cat_suit: "Suits",
  cat_jumpsuit: "Jumpsuits",
  cat_shoes: "Shoes",
  cat_bag: "Bags",
  cat_accessory: "Accessories",
  inStockHere: "In this store: {sizes}",
  soldOutHere: "Not in stock in this store",
  showMore: "Show more",
  catalogEmpty: "No products yet. Staff can import the catalog.",
  itemsCount: "{n} items",
  adminCatalog: "Catalog",
  adminCatalogVersion: "Version",
  adminCatalogSynced: "Last synced",
  adminCatalogProducts: "Products",
  adminCatalogError: "Last sync problem",
  neverSynced: "Never (imported only)",
  minutesAgo: "{n} min ago",
  hoursAgo: "{n} h ago",
  daysAgo: "{n} days ago",
  justNow: "Just now",
} as const;

export type MessageKey = keyof typeof en;

const zhCN: Record<MessageKey, string> = {
  brand: "Atelier",
  tapToStart: "轻触开始",
  attractHint: "您的专属智能试衣镜",
  langZh: "中文",
  langEn: "English",
  languageLabel: "语言",
  welcome: "欢迎",
  sessionHint: "慢慢试。无需走出试衣间，即可换尺码或请人给建议。",
  privacyNote: "镜子不会录制任何内容。结束本次试衣时，所有记录都会被清除。",
  sessionTime: "已试衣 {time}",
  endSession: "结束试衣 — 清除全部记录",
  stillThereTitle: "还在吗？",
  stillThereBody: "本次试衣将在 {n} 秒后结束，所有记录都会被清除。",
  stillHere: "我还在",
  relayConnected: "已连接门店",
  relayConnecting: "正在连接门店…",
  relayOffline: "离线 — 镜子可独立使用",
  relayDisabled: "独立模式",
  adminPinTitle: "员工密码",
  adminPinHint: "请输入员工密码以打开设置。",
  pinWrong: "密码错误。还可尝试 {n} 次，之后需等待。",
  pinLocked: "密码错误次数过多。请 {n} 秒后再试。",
  cancel: "取消",
  ok: "确定",
  deleteDigit: "删除",
  adminTitle: "试衣镜设置",
  adminClose: "关闭",
  adminKiosk: "本机",
  adminDevice: "设备",
  adminStore: "门店",
  adminRoom: "试衣间",
  adminVersion: "版本",
  adminDisplay: "屏幕",
  adminOrientation: "方向",
  adminRotation: "旋转",
  portrait: "竖屏",
  landscape: "横屏",
  adminRelay: "门店中继",
  adminRelayUrl: "地址",
  adminRelayState: "状态",
  adminRelayError: "最近的问题",
  adminRelayRtt: "往返时间",
  adminRelayRetry: "下次重试",
  adminProblems: "启动时发现的问题",
  adminNoProblems: "没有问题：配置有效。",
  adminProblemLine: "第 {n} 行",
  adminFiles: "文件",
  adminDataDir: "数据文件夹",
  adminConfigFile: "配置文件",
  adminProblemsBadge: "{n} 个问题 — 请查看设置",
  demoBadge: "演示",
  cameraLive: "摄像头已开启 — 不录制任何内容",
  cameraStarting: "正在启动摄像头…",
  cameraUnavailable: "未检测到摄像头 — 镜子仍可使用",
  cameraTest: "测试摄像头",
  cameraDisconnected: "摄像头已断开 — 重新连接后自动恢复",
  videoLeaving: "直播中 — 正在发送您的视频",
  tagTitle: "您拿着的是",
  tagNotFound: "在本店目录中找不到这个吊牌，店员可以帮您。",
  tagClose: "关闭",
  photoTake: "拍照",
  photoHint: "照片只保存在这面镜子上，结束本次使用时全部删除。",
  photoFailed: "无法拍照：摄像头尚未就绪。",
  photoDelete: "删除照片",
  photoCompare: "对比",
  photoCompareHint: "选两张照片并排对比。",
  compareTitle: "并排对比",
  flattering: "柔光美颜",
  looks: "为您搭配",
  looksTitle: "为您搭配",
  looksLoading: "正在为您搭配…",
  looksEmpty: "按这些条件，本店暂无整套现货。试试其他尺码、场合或预算。",
  pickOccasion: "场合",
  pickSize: "尺码",
  pickShoeSize: "鞋码",
  pickBudget: "预算",
  budgetAny: "不限",
  budgetUpTo: "¥{n} 以内",
  occasionAny: "不限",
  occasionWork: "通勤",
  occasionCasual: "休闲",
  occasionDate: "约会",
  occasionParty: "派对",
  occasionTravel: "旅行",
  occasionWedding: "婚礼宾客",
  lookTotal: "整套：{total}",
  inHand: "您手上这件",
  bringMe: "帮我拿这套",
  bringMeSent: "已通知店员，马上送来",
  bringMeFailed: "暂时联系不上店员，请到柜台咨询",
  adminCamera: "摄像头",
  adminCameraState: "状态",
  adminCameraSource: "来源",
  adminCameraFault: "最近的问题",
  none: "—",
  browse: "浏览本季系列",
  browseTitle: "本季系列",
  back: "返回",
  allCategories: "全部",
  cat_top: "上衣",
  cat_bottom: "裤装",
  cat_dress: "连衣裙",
  cat_skirt: "半身裙",
  cat_outerwear: "外套",
  cat_knitwear: "针织",
  cat_suit: "西装",
  cat_jumpsuit: "连体裤",
  cat_shoes: "鞋履",
  cat_bag: "包袋",
  cat_accessory: "配饰",
  inStockHere: "本店有货：{sizes}",
  soldOutHere: "本店暂无库存",
  showMore: "显示更多",
  catalogEmpty: "暂无商品。店员可导入商品目录。",
  itemsCount: "{n} 件",
  adminCatalog: "商品目录",
  adminCatalogVersion: "版本",
  adminCatalogSynced: "上次同步",
  adminCatalogProducts: "商品数",
  adminCatalogError: "最近的同步问题",
  neverSynced: "从未同步（仅导入）",
  minutesAgo: "{n} 分钟前",
  hoursAgo: "{n} 小时前",
  daysAgo: "{n} 天前",
  justNow: "刚刚",
};

const tables: Record<Language, Record<MessageKey, string>> = { en, "zh-CN": zhCN };

let current: Language = "zh-CN";

export function setLanguage(lang: Language): void {
  current = lang;
  document.documentElement.lang = lang;
}

export function language(): Language {
  return current;
}

/** The message in the current language, with `{name}` placeholders filled in. */
export function t(key: MessageKey, params: Record<string, string | number> = {}): string {
  const text = tables[current][key];
  return text.replace(/\{(\w+)\}/g, (_, name: string) => String(params[name] ?? `{${name}}`));
}

/** A price in the currency's minor unit, formatted for the current language. */
export function money(minor: number, currency: string): string {
  try {
    return new Intl.NumberFormat(current, { style: "currency", currency, maximumFractionDigits: minor % 100 === 0 ? 0 : 2 }).format(minor / 100);
  } catch {
    return `${currency} ${(minor / 100).toFixed(2)}`;
  }
}

/** The translated name of a catalog category, or the raw name if unknown. */
export function categoryName(category: string): string {
  const key = `cat_${category}` as MessageKey;
  return key in tables[current] ? t(key) : category;
}

/** How long ago a unix time was, in words. */
export function ago(unixSecs: number): string {
  const secs = Math.max(0, Date.now() / 1000 - unixSecs);
  if (secs < 60) return t("justNow");
  if (secs < 3600) return t("minutesAgo", { n: Math.floor(secs / 60) });
  if (secs < 86400) return t("hoursAgo", { n: Math.floor(secs / 3600) });
  return t("daysAgo", { n: Math.floor(secs / 86400) });
}

/** A duration as m:ss or h:mm:ss. */
export function clock(totalSecs: number): string {
  const s = Math.max(0, Math.floor(totalSecs));
  const hh = Math.floor(s / 3600);
  const mm = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, "0");
  return hh > 0 ? `${hh}:${String(mm).padStart(2, "0")}:${ss}` : `${mm}:${ss}`;
}
