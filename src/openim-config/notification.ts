// notification.yml: one entry per notification type. Every OpenIM RPC
// process loads the file (config load fails on a missing file), and a type
// left out decodes as zero values: isSendMsg false and reliabilityLevel 0, so
// the list is complete. Defaults follow upstream 3.8: tips that belong in the
// chat history (member joined, group muted, …) are sent as messages; which
// types push offline changed on the patch line, so that list comes from the
// catalog (ServerRelease.config.offlinePushOn).

import type { ServerRelease } from '../catalog/openim-versions.js';

interface NotificationDefault {
  /** Stored as a message in the conversation (shows in history). */
  isSendMsg: boolean;
  title: string;
}

const GROUP: Record<string, boolean> = {
  groupCreated: true,
  groupInfoSet: false,
  joinGroupApplication: false,
  memberQuit: true,
  groupApplicationAccepted: false,
  groupApplicationRejected: false,
  groupOwnerTransferred: true,
  memberKicked: true,
  memberInvited: true,
  memberEnter: true,
  groupDismissed: true,
  groupMuted: true,
  groupCancelMuted: true,
  groupMemberMuted: true,
  groupMemberCancelMuted: true,
  groupMemberInfoSet: false,
  groupInfoSetAnnouncement: true,
  groupInfoSetName: true,
};

const OTHER: Record<string, NotificationDefault> = {
  friendApplicationAdded: { isSendMsg: false, title: 'Somebody applies to add you as a friend' },
  friendApplicationApproved: { isSendMsg: true, title: 'Your friend application was accepted' },
  friendApplicationRejected: { isSendMsg: false, title: 'Your friend application was rejected' },
  friendAdded: { isSendMsg: false, title: 'We have become friends' },
  friendDeleted: { isSendMsg: false, title: 'Deleted a friend' },
  friendRemarkSet: { isSendMsg: false, title: "Your friend's profile has been changed" },
  blackAdded: { isSendMsg: false, title: 'Blocked a user' },
  blackDeleted: { isSendMsg: false, title: 'Removed a blocked user' },
  friendInfoUpdated: { isSendMsg: false, title: 'Friend info updated' },
  userInfoUpdated: { isSendMsg: false, title: 'User info updated' },
  userStatusChanged: { isSendMsg: false, title: 'User status changed' },
  conversationChanged: { isSendMsg: false, title: 'Conversation changed' },
  conversationSetPrivate: { isSendMsg: true, title: 'Burn after reading' },
};

function entry(d: { isSendMsg: boolean; title: string; offlinePush: boolean }): Record<string, unknown> {
  return {
    isSendMsg: d.isSendMsg,
    // 1: deliver to online users only; 2: guaranteed (stored). Upstream uses 1 everywhere.
    reliabilityLevel: 1,
    unreadCount: false,
    offlinePush: { enable: d.offlinePush, title: d.title, desc: d.title, ext: '' },
  };
}

export function notificationFile(server: ServerRelease): Record<string, unknown> {
  const push = new Set<string>(server.config.offlinePushOn);
  const out: Record<string, unknown> = {};
  for (const [name, isSendMsg] of Object.entries(GROUP))
    out[name] = entry({ isSendMsg, offlinePush: push.has(name), title: name });
  for (const [name, d] of Object.entries(OTHER)) out[name] = entry({ ...d, offlinePush: push.has(name) });
  return out;
}
