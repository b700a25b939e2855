// Just enough of the protobuf wire format to read the message a push frame
// carries: msggateway sends `sdkws.PushMessages` (proto.Marshal) inside the
// frame's `data` (open-im-server internal/msggateway/client.go@v3.8.3:306).
// Field numbers from openimsdk/protocol sdkws/sdkws.proto@v0.0.72-alpha.70:
//   PushMessages { map<string, PullMsgs> msgs = 1; map<string, PullMsgs> notificationMsgs = 2; }
//   PullMsgs { repeated MsgData Msgs = 1; ... }
//   MsgData { sendID = 1; recvID = 2; clientMsgID = 4; serverMsgID = 5; sessionType = 9;
//             contentType = 11; bytes content = 12; int64 seq = 14; ... }

export interface PushedMessage {
  conversationID: string;
  notification: boolean;
  sendID: string;
  recvID: string;
  clientMsgID: string;
  serverMsgID: string;
  contentType: number;
  content: string;
  seq: number;
}

interface Field {
  no: number;
  wire: number;
  varint?: bigint;
  bytes?: Uint8Array;
}

function readVarint(buf: Uint8Array, at: number): [bigint, number] {
  let value = 0n;
  let shift = 0n;
  for (let i = at; i < buf.length; i++) {
    const b = buf[i]!;
    value |= BigInt(b & 0x7f) << shift;
    if ((b & 0x80) === 0) return [value, i + 1];
    shift += 7n;
    if (shift > 63n) break;
  }
  throw new Error('malformed protobuf varint');
}

function readFields(buf: Uint8Array): Field[] {
  const out: Field[] = [];
  let at = 0;
  while (at < buf.length) {
    const [key, next] = readVarint(buf, at);
    at = next;
    const no = Number(key >> 3n);
    const wire = Number(key & 7n);
    if (wire === 0) {
      const [v, n] = readVarint(buf, at);
      out.push({ no, wire, varint: v });
      at = n;
    } else if (wire === 2) {
      const [len, n] = readVarint(buf, at);
      const end = n + Number(len);
      if (end > buf.length) throw new Error('malformed protobuf: length beyond the buffer');
      out.push({ no, wire, bytes: buf.subarray(n, end) });
      at = end;
    } else if (wire === 1) at += 8;
    else if (wire === 5) at += 4;
    else throw new Error(`unsupported protobuf wire type ${wire}`);
  }
  return out;
}

const text = (b?: Uint8Array) => (b ? new TextDecoder().decode(b) : '');

function readMsgData(buf: Uint8Array, conversationID: string, notification: boolean): PushedMessage {
  const m: PushedMessage = {
    conversationID,
    notification,
    sendID: '',
    recvID: '',
    clientMsgID: '',
    serverMsgID: '',
    contentType: 0,
    content: '',
    seq: 0,
  };
  for (const f of readFields(buf)) {
    if (f.no === 1 && f.bytes) m.sendID = text(f.bytes);
    else if (f.no === 2 && f.bytes) m.recvID = text(f.bytes);
    else if (f.no === 4 && f.bytes) m.clientMsgID = text(f.bytes);
    else if (f.no === 5 && f.bytes) m.serverMsgID = text(f.bytes);
    else if (f.no === 11 && f.varint !== undefined) m.contentType = Number(f.varint);
    else if (f.no === 12 && f.bytes) m.content = text(f.bytes);
    else if (f.no === 14 && f.varint !== undefined) m.seq = Number(f.varint);
  }
  return m;
}

/** Every message in a `PushMessages` (or `PullMessageBySeqsResp`, same layout). */
export function decodePushMessages(buf: Uint8Array): PushedMessage[] {
  const out: PushedMessage[] = [];
  for (const entry of readFields(buf)) {
    if ((entry.no !== 1 && entry.no !== 2) || !entry.bytes) continue;
    // A map entry is a message { key = 1; value = 2 }.
    let key = '';
    let value: Uint8Array | undefined;
    for (const f of readFields(entry.bytes)) {
      if (f.no === 1 && f.bytes) key = text(f.bytes);
      else if (f.no === 2 && f.bytes) value = f.bytes;
    }
    if (!value) continue;
    for (const f of readFields(value)) if (f.no === 1 && f.bytes) out.push(readMsgData(f.bytes, key, entry.no === 2));
  }
  return out;
}
