// Idempotent setup, run by mongosh as a post-install/post-upgrade hook:
// 1. replica set: initiate it on member 0 if needed, add missing members;
// 2. OpenIM's user: create it with readWrite on its database, or reset its
//    password and roles to the values in the Secret.
// Credentials come from the environment; nothing here is a secret.

const env = process.env;
const members = (env.MEMBERS || '').split(',').filter((m) => m !== '');
const roles = [{ role: 'readWrite', db: env.APP_DATABASE }];

function retry(what, fn, attempts = 60, pauseMs = 5000) {
  for (let i = 1; ; i++) {
    try {
      return fn();
    } catch (e) {
      if (i >= attempts) throw e;
      print(`${what}: ${e.message} (attempt ${i}/${attempts})`);
      sleep(pauseMs);
    }
  }
}

/** mongosh returns some command failures as documents instead of throwing. */
function must(result) {
  if (result.ok !== 1) {
    const error = new Error(result.errmsg || JSON.stringify(result));
    error.code = result.code;
    throw error;
  }
  return result;
}

/** replSetGetStatus answers NotYetInitialized (94) before rs.initiate. */
function replicaSetInitiated(admin) {
  try {
    must(admin.runCommand({ replSetGetStatus: 1 }));
    return true;
  } catch (e) {
    if (e.code === 94) return false;
    throw e;
  }
}

function connectAsRoot(host) {
  const conn = new Mongo(`mongodb://${host}/?directConnection=true`);
  const admin = conn.getDB('admin');
  admin.auth(env.ROOT_USERNAME, env.ROOT_PASSWORD);
  return conn;
}

function waitForPrimary(conn) {
  return retry('waiting for a primary', () => {
    const hello = conn.getDB('admin').runCommand({ hello: 1 });
    if (!hello.primary) throw new Error('no primary yet');
    return hello.primary;
  });
}

let target = env.SEED;
if (env.REPLICA_SET) {
  const seed = retry('connecting to member 0', () => connectAsRoot(env.SEED));
  const admin = seed.getDB('admin');
  if (!replicaSetInitiated(admin)) {
    print(`initiating replica set ${env.REPLICA_SET} with ${members.join(', ')}`);
    must(admin.runCommand({
      replSetInitiate: {
        _id: env.REPLICA_SET,
        // Member 0 holds the root user before initial sync: prefer it as primary.
        members: members.map((host, i) => ({ _id: i, host, priority: i === 0 ? 2 : 1 })),
      },
    }));
  }
  target = waitForPrimary(seed);
  const primary = connectAsRoot(target);
  const config = must(primary.getDB('admin').runCommand({ replSetGetConfig: 1 })).config;
  const known = new Set(config.members.map((m) => m.host));
  const missing = members.filter((m) => !known.has(m));
  if (missing.length > 0) {
    let nextId = Math.max(...config.members.map((m) => m._id)) + 1;
    for (const host of missing) config.members.push({ _id: nextId++, host, priority: 1 });
    config.version += 1;
    print(`adding members ${missing.join(', ')}`);
    must(primary.getDB('admin').runCommand({ replSetReconfig: config }));
  }
}

const conn = retry('connecting as root', () => connectAsRoot(target));
const appDb = conn.getDB(env.APP_DATABASE);
if (appDb.getUser(env.APP_USERNAME)) {
  appDb.updateUser(env.APP_USERNAME, { pwd: env.APP_PASSWORD, roles });
  print(`user ${env.APP_USERNAME} on ${env.APP_DATABASE}: password and roles updated`);
} else {
  appDb.createUser({ user: env.APP_USERNAME, pwd: env.APP_PASSWORD, roles });
  print(`user ${env.APP_USERNAME} on ${env.APP_DATABASE}: created`);
}
