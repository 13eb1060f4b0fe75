#!/usr/bin/env bash
# Start a minimal, real OpenStack on 127.0.0.1 under one directory:
#   keystone, glance (file store), placement, nova (api + conductor + scheduler
#   + compute with fake.FakeDriver), cinder (api + scheduler + volume with the
#   fake LVM driver), neutron (ML2, no agents, fake port binding), all on SQLite,
#   with RabbitMQ (Debian package, run as a plain process) as the message bus.
#
# usage: start.sh DIR            (DIR is created; it must not hold a running set)
# env:   OSL_VENV      venv with the services (made by `make openstack`:
#                      .tools/openstack-venv)
#        OSL_SERVICES  subset of "keystone glance placement nova cinder neutron"
#                      (nova needs placement, glance and neutron)
#        OSL_PORT_MIN / OSL_PORT_MAX  port range to pick from (27400 / 27999)
#        OSL_PASSWORD  admin, demo and service users' password (default secret)
#        OSL_SEED      1 (default): flavors, image, networks, router; 0: none
# Prints the identity URL and credentials; writes DIR/openrc, DIR/clouds.yaml
# (cloud "osl") and DIR/ports.env.  Stop with stop.sh DIR.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
[ $# -ge 1 ] || { echo "usage: $0 DIR" >&2; exit 2; }
mkdir -p "$1"
DIR=$(cd "$1" && pwd)
VENV=${OSL_VENV:?set OSL_VENV to the services venv (make openstack)}
SERVICES=${OSL_SERVICES:-keystone glance placement nova cinder neutron}
# below the kernel's ephemeral range (32768-60999), where outgoing
# connections could take a chosen port as their source port
PORT_MIN=${OSL_PORT_MIN:-27400}
PORT_MAX=${OSL_PORT_MAX:-27999}
PW=${OSL_PASSWORD:-secret}
SEED=${OSL_SEED:-1}
RABBIT_SERVER=/usr/lib/rabbitmq/bin/rabbitmq-server
T0=$(date +%s.%N)

has() { case " $SERVICES " in *" $1 "*) return 0;; esac; return 1; }
elapsed() { python3 -c "import time,sys; print('%.1f' % (time.time()-float(sys.argv[1])))" "$T0"; }
say() { echo "[osl $(elapsed)s] $*"; }
die() { echo "[osl] ERROR: $*" >&2; [ "${OSL_KEEP_ON_FAIL:-0}" = 1 ] || "$HERE/stop.sh" "$DIR" >&2 || true; exit 1; }

if [ -n "$(ls "$DIR"/run/*.pid 2>/dev/null)" ]; then
  echo "[osl] $DIR/run has pid files: run stop.sh $DIR first (state is not restartable)" >&2; exit 1
fi
NEED_RABBIT=0; { has nova || has cinder || has neutron; } && NEED_RABBIT=1
if [ $NEED_RABBIT = 1 ] && [ ! -x $RABBIT_SERVER ]; then
  echo "[osl] needs RabbitMQ: apt-get install -y rabbitmq-server  (policy-rc.d keeps it from starting as a service)" >&2; exit 1
fi
if [ ! -x "$VENV/bin/nova-manage" ]; then
  echo "[osl] no OpenStack services venv at $VENV: run make openstack" >&2; exit 1
fi
V=$VENV/bin

# fresh state every time: nova's FakeDriver keeps servers in memory and invents
# a new compute-node uuid per process, so old databases cannot be reused.
rm -rf "$DIR/etc" "$DIR/data" "$DIR/log" "$DIR/run"
mkdir -p "$DIR/etc" "$DIR/data" "$DIR/log" "$DIR/run"
cd "$DIR"              # stop.sh also recognises our processes by their cwd
export OSL_TAG="$DIR"   # inherited by every process we start; stop.sh checks it
# pylib: sitecustomize (SQLite BEGIN IMMEDIATE, see sitecustomize_osl.py) and
# the osl_fakebind ML2 driver
export PYTHONPATH="$HERE/pylib${PYTHONPATH:+:$PYTHONPATH}"
export PYTHONDONTWRITEBYTECODE=1   # keep __pycache__ out of pylib (the venv is precompiled)

# ---------------------------------------------------------------- ports
read -r P_KS P_GL P_PL P_NV P_CI P_NE P_AMQP P_EPMD P_DIST < <(python3 - "$PORT_MIN" "$PORT_MAX" <<'EOF'
import socket, sys
lo, hi = int(sys.argv[1]), int(sys.argv[2])
out = []
for p in range(lo, hi + 1):
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", p)); out.append(p)
    except OSError:
        pass
    finally:
        s.close()
    if len(out) == 9:
        break
if len(out) < 9:
    sys.exit("not enough free ports in %d-%d" % (lo, hi))
print(*out)
EOF
) || true
[ -n "${P_DIST:-}" ] || die "could not pick 9 free ports in $PORT_MIN-$PORT_MAX"
cat > "$DIR/ports.env" <<EOF
KEYSTONE_PORT=$P_KS
GLANCE_PORT=$P_GL
PLACEMENT_PORT=$P_PL
NOVA_PORT=$P_NV
CINDER_PORT=$P_CI
NEUTRON_PORT=$P_NE
RABBIT_PORT=$P_AMQP
EPMD_PORT=$P_EPMD
RABBIT_DIST_PORT=$P_DIST
EOF
KS_URL=http://127.0.0.1:$P_KS/v3
TRANSPORT=rabbit://guest:guest@127.0.0.1:$P_AMQP/

# start a process in its own session; remember its pid (= its process group)
launch() {  # name, then the command
  local name=$1; shift
  setsid "$@" > "$DIR/log/$name.log" 2>&1 < /dev/null &
  echo $! > "$DIR/run/$name.pid"
}

# ---------------------------------------------------------------- rabbitmq (slowest, start first)
if [ $NEED_RABBIT = 1 ]; then
  R=$DIR/data/rabbit; mkdir -p "$R/mnesia" "$R/log" "$R/home"
  cat > "$DIR/etc/rabbitmq.conf" <<EOF
listeners.tcp.1 = 127.0.0.1:$P_AMQP
vm_memory_high_watermark.absolute = 512MB
disk_free_limit.absolute = 50MB
log.console = true
log.console.level = warning
log.file = false
EOF
  echo '[].' > "$DIR/etc/rabbitmq-plugins"; : > "$DIR/etc/rabbitmq-env.conf"
  launch epmd epmd -port "$P_EPMD" -address 127.0.0.1
  HOME=$R/home ERL_EPMD_PORT=$P_EPMD RABBITMQ_NODENAME=osl$P_AMQP@localhost \
  RABBITMQ_CONFIG_FILE=$DIR/etc/rabbitmq.conf RABBITMQ_CONF_ENV_FILE=$DIR/etc/rabbitmq-env.conf \
  RABBITMQ_ENABLED_PLUGINS_FILE=$DIR/etc/rabbitmq-plugins RABBITMQ_ADVANCED_CONFIG_FILE=$DIR/etc/rabbitmq-advanced.config \
  RABBITMQ_MNESIA_BASE=$R/mnesia RABBITMQ_LOG_BASE=$R/log RABBITMQ_PID_FILE=$R/rabbit.pidfile \
  RABBITMQ_DIST_PORT=$P_DIST RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 \
  RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}" \
    launch rabbitmq $RABBIT_SERVER
fi

# ---------------------------------------------------------------- API servers: bind now, import later
# serve.py binds its port at once and waits for run/NAME.go before loading the app
api() {  # name port module [args]
  local name=$1 port=$2; shift 2
  OSL_GO_FILE=$DIR/run/$name.go launch "$name" "$V/python" "$HERE/serve.py" "--osl-tag=$DIR/" "$port" "$@"
}
has keystone  && OS_KEYSTONE_CONFIG_FILES=$DIR/etc/keystone.conf api keystone "$P_KS" keystone.wsgi.api
has glance    && OS_GLANCE_CONFIG_DIR=$DIR/etc/glance api glance "$P_GL" glance.wsgi.api
has placement && OS_PLACEMENT_CONFIG_DIR=$DIR/etc/placement api placement "$P_PL" placement.wsgi.api
has nova      && OS_NOVA_CONFIG_DIR=$DIR/etc/nova api nova-api "$P_NV" nova.wsgi.osapi_compute
has cinder    && api cinder-api "$P_CI" cinder.wsgi.api --config-file "$DIR/etc/cinder/cinder.conf"
has neutron   && OS_NEUTRON_CONFIG_DIR=$DIR/etc/neutron OS_NEUTRON_CONFIG_FILES="neutron.conf;ml2_conf.ini" \
                 api neutron "$P_NE" neutron.wsgi.api
say "ports: keystone $P_KS glance $P_GL placement $P_PL nova $P_NV cinder $P_CI neutron $P_NE amqp $P_AMQP"

# ---------------------------------------------------------------- configs
ks() {  # keystone_authtoken-style auth block for user $1
  cat <<EOF
www_authenticate_uri = $KS_URL
auth_url = $KS_URL
auth_type = password
project_domain_name = Default
user_domain_name = Default
project_name = service
username = $1
password = $PW
region_name = RegionOne
EOF
}
db() { echo "sqlite:///$DIR/data/$1?timeout=30"; }
mkdir -p "$DIR"/etc/{glance,placement,nova,cinder,neutron} "$DIR"/data/{keystone,placement,glance/images,glance/staging,glance/tasks,nova/instances,cinder/volumes,neutron,lock}

cat > "$DIR/etc/keystone.conf" <<EOF
[database]
connection = $(db keystone/keystone.db)
[identity]
# bcrypt at the default 12 rounds costs ~1 s per password auth on this machine
password_hash_rounds = 4
[cache]
# keystone runs as one process here, so an in-process cache is coherent;
# it roughly halves request time (token validation, role lookups)
enabled = true
backend = dogpile.cache.memory
[token]
provider = fernet
[fernet_tokens]
key_repository = $DIR/data/keystone/fernet-keys
[fernet_receipts]
key_repository = $DIR/data/keystone/fernet-receipts
[credential]
key_repository = $DIR/data/keystone/credential-keys
EOF

cp "$VENV/etc/glance/glance-api-paste.ini" "$DIR/etc/glance/"
cat > "$DIR/etc/glance/glance-api.conf" <<EOF
[DEFAULT]
enabled_backends = fs:file
[database]
connection = $(db glance/glance.db)
[glance_store]
default_backend = fs
[fs]
filesystem_store_datadir = $DIR/data/glance/images
[os_glance_staging_store]
filesystem_store_datadir = $DIR/data/glance/staging
[os_glance_tasks_store]
filesystem_store_datadir = $DIR/data/glance/tasks
[keystone_authtoken]
$(ks glance)
[paste_deploy]
flavor = keystone
config_file = $DIR/etc/glance/glance-api-paste.ini
[oslo_concurrency]
lock_path = $DIR/data/lock
EOF

cat > "$DIR/etc/placement/placement.conf" <<EOF
[placement_database]
connection = $(db placement/placement.db)
[api]
auth_strategy = keystone
[keystone_authtoken]
$(ks placement)
EOF

cp "$VENV/etc/nova/api-paste.ini" "$DIR/etc/nova/"
cat > "$DIR/etc/nova/nova.conf" <<EOF
[DEFAULT]
transport_url = $TRANSPORT
compute_driver = fake.FakeDriver
# periodic tasks (nova: discover_hosts; cinder: capability reports) start
# after a random 0-60 s delay by default
periodic_fuzzy_delay = 0
graceful_shutdown_timeout = 5
host = osl-compute
my_ip = 127.0.0.1
state_path = $DIR/data/nova
instances_path = $DIR/data/nova/instances
enabled_apis = osapi_compute
use_rootwrap_daemon = false
# single compute host: let resize land on it
allow_resize_to_same_host = true
[api]
auth_strategy = keystone
[wsgi]
api_paste_config = $DIR/etc/nova/api-paste.ini
[api_database]
connection = $(db nova/nova_api.db)
[database]
connection = $(db nova/nova_cell1.db)
[keystone_authtoken]
$(ks nova)
[placement]
$(ks placement | grep -v www_auth)
[neutron]
$(ks neutron | grep -v www_auth)
[cinder]
$(ks cinder | grep -v www_auth)
os_region_name = RegionOne
[glance]
region_name = RegionOne
[service_user]
send_service_user_token = true
$(ks nova | grep -v www_auth)
[scheduler]
discover_hosts_in_cells_interval = 2
workers = 1
[conductor]
workers = 1
[oslo_concurrency]
lock_path = $DIR/data/lock
[vnc]
enabled = false
[oslo_messaging_notifications]
driver = noop
EOF

cp "$VENV/etc/cinder/api-paste.ini" "$DIR/etc/cinder/"
cat > "$DIR/etc/cinder/cinder.conf" <<EOF
[DEFAULT]
transport_url = $TRANSPORT
auth_strategy = keystone
api_paste_config = $DIR/etc/cinder/api-paste.ini
state_path = $DIR/data/cinder
volumes_dir = $DIR/data/cinder/volumes
# periodic tasks (nova: discover_hosts; cinder: capability reports) start
# after a random 0-60 s delay by default
periodic_fuzzy_delay = 0
graceful_shutdown_timeout = 5
host = osl-cinder
my_ip = 127.0.0.1
enabled_backends = fake
osapi_volume_workers = 1
# SQLite sometimes answers "database is locked" at once when two requests
# update quota usages together; the usage row is then not updated.
# Unlimited quotas keep such drift from ever failing a request.
quota_volumes = -1
quota_snapshots = -1
quota_gigabytes = -1
quota_backups = -1
quota_backup_gigabytes = -1
quota_groups = -1
[database]
connection = $(db cinder/cinder.db)
[keystone_authtoken]
$(ks cinder)
[service_user]
send_service_user_token = true
$(ks cinder | grep -v www_auth)
[nova]
$(ks nova | grep -v www_auth)
[oslo_concurrency]
lock_path = $DIR/data/lock
[oslo_messaging_notifications]
driver = noop
[coordination]
backend_url = file://$DIR/data/cinder/coord
[fake]
volume_driver = cinder.tests.fake_driver.FakeLoggingVolumeDriver
volume_backend_name = fake
EOF

cp "$VENV/etc/neutron/api-paste.ini" "$DIR/etc/neutron/"
cat > "$DIR/etc/neutron/neutron.conf" <<EOF
[DEFAULT]
core_plugin = ml2
graceful_shutdown_timeout = 5
service_plugins = router
auth_strategy = keystone
transport_url = $TRANSPORT
api_paste_config = $DIR/etc/neutron/api-paste.ini
state_path = $DIR/data/neutron
notify_nova_on_port_status_changes = true
notify_nova_on_port_data_changes = true
[database]
connection = $(db neutron/neutron.db)
[keystone_authtoken]
$(ks neutron)
[nova]
$(ks nova | grep -v www_auth)
[oslo_concurrency]
lock_path = $DIR/data/lock
[oslo_messaging_notifications]
driver = noop
[quotas]
quota_network = -1
quota_subnet = -1
quota_port = -1
quota_router = -1
quota_floatingip = -1
quota_security_group = -1
quota_security_group_rule = -1
EOF
cat > "$DIR/etc/neutron/ml2_conf.ini" <<EOF
[ml2]
type_drivers = flat,vlan,vxlan,local
project_network_types = vxlan
# osl_fakebind (pylib/) binds every port (vif_type ovs, ACTIVE) without an agent
mechanism_drivers = osl_fakebind
extension_drivers = port_security
[ml2_type_flat]
flat_networks = public
[ml2_type_vxlan]
vni_ranges = 1:1000
[securitygroup]
enable_security_group = true
EOF

# ---------------------------------------------------------------- databases (in parallel)
q() { grep -v -E 'eventlet|Eventlet|framework|migration.html|strongly recommend|^\s*$|from eventlet|import eventlet' || true; }
sync_keystone() {
  local c=(--config-file "$DIR/etc/keystone.conf")
  "$V/keystone-manage" "${c[@]}" db_sync &&
  "$V/keystone-manage" "${c[@]}" fernet_setup --keystone-user root --keystone-group root &&
  "$V/keystone-manage" "${c[@]}" credential_setup --keystone-user root --keystone-group root &&
  "$V/keystone-manage" "${c[@]}" bootstrap --bootstrap-password "$PW" \
    --bootstrap-admin-url "$KS_URL/" --bootstrap-internal-url "$KS_URL/" \
    --bootstrap-public-url "$KS_URL/" --bootstrap-region-id RegionOne
}
sync_glance() { "$V/glance-manage" --config-file "$DIR/etc/glance/glance-api.conf" db_sync; }
sync_placement() { "$V/placement-manage" --config-file "$DIR/etc/placement/placement.conf" db sync; }
sync_nova() {
  local c=(--config-file "$DIR/etc/nova/nova.conf")
  "$V/nova-manage" "${c[@]}" api_db sync &&
  "$V/nova-manage" "${c[@]}" cell_v2 map_cell0 --database_connection "$(db nova/nova_cell0.db)" &&
  "$V/nova-manage" "${c[@]}" db sync &&
  "$V/nova-manage" "${c[@]}" cell_v2 create_cell --name cell1
}
sync_cinder() { "$V/cinder-manage" --config-file "$DIR/etc/cinder/cinder.conf" db sync; }
sync_neutron() {
  # the alembic migrations need ALTER CONSTRAINT, which SQLite lacks
  "$V/python" "$HERE/neutron_db_create.py" "sqlite:///$DIR/data/neutron/neutron.db" &&
  "$V/neutron-db-manage" --config-file "$DIR/etc/neutron/neutron.conf" \
    --config-file "$DIR/etc/neutron/ml2_conf.ini" stamp heads
}
declare -A SYNC
for s in $SERVICES; do
  ( sync_$s > "$DIR/log/dbsync-$s.log" 2>&1 ) & SYNC[$s]=$!
done
for s in "${!SYNC[@]}"; do
  wait "${SYNC[$s]}" || die "database setup of $s failed, see $DIR/log/dbsync-$s.log: $(tail -3 "$DIR/log/dbsync-$s.log" | q)"
done
# WAL lets readers and a writer overlap (the services share the files across processes)
"$V/python" - "$DIR/data" <<'EOF'
import glob, sqlite3, sys
for f in glob.glob(sys.argv[1] + "/*/*.db"):
    c = sqlite3.connect(f, timeout=30); c.execute("PRAGMA journal_mode=WAL"); c.close()
EOF
say "databases ready"

# ---------------------------------------------------------------- go
wait_http() {  # name url
  local i
  for i in $(seq 1 600); do
    curl -s -o /dev/null --max-time 5 "$2" && return 0
    kill -0 "$(cat "$DIR/run/$1.pid")" 2>/dev/null || die "$1 exited, see $DIR/log/$1.log: $(tail -5 "$DIR/log/$1.log")"
    sleep 0.2
  done
  die "$1 not answering on $2 after 120 s"
}
touch "$DIR/run/keystone.go"
wait_http keystone "$KS_URL"
say "keystone ready"
CAT=()
has glance    && CAT+=("glance:image:http://127.0.0.1:$P_GL")
has placement && CAT+=("placement:placement:http://127.0.0.1:$P_PL")
has nova      && CAT+=("nova:compute:http://127.0.0.1:$P_NV/v2.1")
has cinder    && CAT+=("cinder:block-storage:http://127.0.0.1:$P_CI/v3/%(project_id)s" "cinder:volumev3:http://127.0.0.1:$P_CI/v3/%(project_id)s")
has neutron   && CAT+=("neutron:network:http://127.0.0.1:$P_NE")
"$V/python" "$HERE/catalog.py" "$KS_URL" "$PW" "${CAT[@]}" 2>&1 | grep -v -i warn || die "catalog setup failed"
say "catalog registered"
# only now let the other APIs load (CPU-heavy imports would starve keystone)
for s in glance placement nova-api cinder-api neutron; do
  if [ -e "$DIR/run/$s.pid" ]; then touch "$DIR/run/$s.go"; fi
done

if [ $NEED_RABBIT = 1 ]; then
  for i in $(seq 1 600); do (echo > "/dev/tcp/127.0.0.1/$P_AMQP") 2>/dev/null && break; sleep 0.2; done
  (echo > "/dev/tcp/127.0.0.1/$P_AMQP") 2>/dev/null || die "rabbitmq not listening, see $DIR/log/rabbitmq.log"
  say "rabbitmq ready"
fi
if has nova; then
  for s in conductor scheduler compute; do launch nova-$s "$V/nova-$s" --config-file "$DIR/etc/nova/nova.conf"; done
fi
if has cinder; then
  for s in scheduler volume; do launch cinder-$s "$V/cinder-$s" --config-file "$DIR/etc/cinder/cinder.conf"; done
fi
has glance    && wait_http glance "http://127.0.0.1:$P_GL/"
has placement && wait_http placement "http://127.0.0.1:$P_PL/"
has neutron   && wait_http neutron "http://127.0.0.1:$P_NE/"
has cinder    && wait_http cinder-api "http://127.0.0.1:$P_CI/"
has nova      && wait_http nova-api "http://127.0.0.1:$P_NV/"
say "APIs answering"
"$V/python" "$HERE/seed.py" "$KS_URL" "$PW" "$DIR/data/nova/nova_api.db" "$SERVICES" "$SEED" 2>&1 | grep -v -i warn \
  || die "services did not become ready (seed.py)"

cat > "$DIR/openrc" <<EOF
export OS_AUTH_URL=$KS_URL
export OS_USERNAME=admin
export OS_PASSWORD=$PW
export OS_PROJECT_NAME=admin
export OS_USER_DOMAIN_NAME=Default
export OS_PROJECT_DOMAIN_NAME=Default
export OS_REGION_NAME=RegionOne
export OS_IDENTITY_API_VERSION=3
EOF
cat > "$DIR/clouds.yaml" <<EOF
clouds:
  osl:
    auth:
      auth_url: $KS_URL
      username: admin
      password: $PW
      project_name: admin
      user_domain_name: Default
      project_domain_name: Default
    region_name: RegionOne
    identity_api_version: 3
  osl-demo:
    auth:
      auth_url: $KS_URL
      username: demo
      password: $PW
      project_name: demo
      user_domain_name: Default
      project_domain_name: Default
    region_name: RegionOne
    identity_api_version: 3
EOF
say "up: $SERVICES"
echo "OS_AUTH_URL=$KS_URL"
echo "OS_USERNAME=admin (password: OSL_PASSWORD) OS_PROJECT_NAME=admin OS_USER_DOMAIN_NAME=Default OS_PROJECT_DOMAIN_NAME=Default OS_REGION_NAME=RegionOne"
echo "(also user demo, same password, in project demo; source $DIR/openrc or OS_CLIENT_CONFIG_FILE=$DIR/clouds.yaml, cloud osl)"
