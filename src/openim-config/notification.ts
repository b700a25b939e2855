// notification.yml: one entry per notification type. Every OpenIM RPC
// process loads the file (config load fails on a missing file), and a type
// left out decodes as zero values: isSendMsg false and reliabilityLevel 0, so
// the list is complete. Defaults follow upstream 3.8: tips that belong in the
// chat history (member joined, group muted, …) are sent as messages; offline
// push is on for the friend/user/conversation events upstream enables it for.

interface NotificationDefault {
  /** Stored as a message in the conversation (shows in history). */
  isSendMsg: boolean;
  offlinePush: boolean;
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
  friendApplicationAdded: { isSendMsg: false, offlinePush: false, title: 'Somebody applies to add you as a friend' },
  friendApplicationApproved: { isSendMsg: true, offlinePush: true, title: 'Your friend application was accepted' },
  friendApplicationRejected: { isSendMsg: false, offlinePush: true, title: 'Your friend application was rejected' },
  friendAdded: { isSendMsg: false, offlinePush: true, title: 'We have become friends' },
  friendDeleted: { isSendMsg: false, offlinePush: true, title: 'Deleted a friend' },
  friendRemarkSet: { isSendMsg: false, offlinePush: true, title: "Your friend's profile has been changed" },
  blackAdded: { isSendMsg: false, offlinePush: true, title: 'Blocked a user' },
  blackDeleted: { isSendMsg: false, offlinePush: true, title: 'Removed a blocked user' },
  friendInfoUpdated: { isSendMsg: false, offlinePush: true, title: 'Friend info updated' },
  userInfoUpdated: { isSendMsg: false, offlinePush: true, title: 'User info updated' },
  userStatusChanged: { isSendMsg: false, offlinePush: false, title: 'User status changed' },
  conversationChanged: { isSendMsg: false, offlinePush: true, title: 'Conversation changed' },
  conversationSetPrivate: { isSendMsg: true, offlinePush: true, title: 'Burn after reading' },
};

export const NOTIFICATION_TYPES: readonly string[] = [...Object.keys(GROUP), ...Object.keys(OTHER)];

function entry(d: NotificationDefault): Record<string, unknown> {
  return {
    isSendMsg: d.isSendMsg,
    // 1: deliver to online users only; 2: guaranteed (stored). Upstream uses 1 everywhere.
    reliabilityLevel: 1,
    unreadCount: false,
    offlinePush: { enable: d.offlinePush, title: d.title, desc: d.title, ext: '' },
  };
}

export function notificationFile(): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, isSendMsg] of Object.entries(GROUP)) out[name] = entry({ isSendMsg, offlinePush: false, title: name });
  for (const [name, d] of Object.entries(OTHER)) out[name] = entry(d);
  return out;
}
