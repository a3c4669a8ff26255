# static-pods.sh — sourced by lab.sh (not a command): the control plane of an OCP 3.10 master as static pods.
#
#   write_static_pods ROOT ADDR [COMPONENTS]
#       the manifests in ROOT/etc/origin/node/pods/, as openshift-ansible 3.10 leaves them on a master whose address
#       is ADDR (the etcd liveness probe's endpoint); COMPONENTS defaults to "etcd api controllers" (a master whose
#       etcd is on external hosts has only "api controllers")
#
# The files are the roles' own (roles/etcd/files/etcd.yaml, roles/openshift_control_plane/files/apiserver.yaml
# and controller.yaml, release-3.10) with the edits the install tasks make before copying them in place
# (roles/etcd/tasks/static.yml, roles/openshift_control_plane/tasks/static.yml): the image set to the inventory's
# (oreg_url, openshift_image_tag; etcd 3.2.22) and the etcd liveness probe's etcdctl cluster-health command.
# A host with these needs kubelet.pl to run them (host.env: LAB_CONTROL_PLANE=static).
STATIC_POD_ETCD_IMAGE=${STATIC_POD_ETCD_IMAGE:-registry.access.redhat.com/rhel7/etcd:3.2.22}
STATIC_POD_CONTROL_PLANE_IMAGE=${STATIC_POD_CONTROL_PLANE_IMAGE:-registry.access.redhat.com/openshift3/ose-control-plane:v3.10.45}

write_static_pods() { # ROOT ADDR [COMPONENTS]
  local dir=$1/etc/origin/node/pods c
  mkdir -p "$dir"
  chmod 0755 "$dir" # the control plane role's mode, which comes after the etcd role's 0700
  for c in ${3:-etcd api controllers}; do
    case $c in
      etcd) static_pod_etcd "$2" >"$dir/etcd.yaml" ;;
      api) static_pod_master api >"$dir/apiserver.yaml" ;;
      controllers) static_pod_master controllers >"$dir/controller.yaml" ;;
      *) echo "write_static_pods: no static pod '$c' (etcd, api, controllers)" >&2; return 1 ;;
    esac
  done
  chmod 0600 "$dir"/*.yaml
}

# what the three have in common, up to the container's name (the component's)
static_pod_head() { # POD COMPONENT
  cat <<EOF
kind: Pod
apiVersion: v1
metadata:
  name: $1
  namespace: kube-system
  labels:
    openshift.io/control-plane: "true"
    openshift.io/component: $2
  annotations:
    scheduler.alpha.kubernetes.io/critical-pod: ''
spec:
  restartPolicy: Always
  hostNetwork: true
  containers:
  - name: $2
EOF
}

static_pod_etcd() { # ADDR
  static_pod_head master-etcd etcd
  cat <<EOF
    image: $STATIC_POD_ETCD_IMAGE
    workingDir: /var/lib/etcd
    command: ["/bin/sh", "-c"]
    args:
    - |
      #!/bin/sh
      set -o allexport
      source /etc/etcd/etcd.conf
      exec etcd
    securityContext:
      privileged: true
    volumeMounts:
     - mountPath: /etc/etcd/
       name: master-config
       readOnly: true
     - mountPath: /var/lib/etcd/
       name: master-data
     - mountPath: /etc/localtime
       name: host-localtime
    livenessProbe:
      exec:
        command:
        - etcdctl
        - --cert-file
        - /etc/etcd/peer.crt
        - --key-file
        - /etc/etcd/peer.key
        - --ca-file
        - /etc/etcd/ca.crt
        - --endpoints
        - https://$1:2379
        - cluster-health
      initialDelaySeconds: 45
  volumes:
  - name: master-config
    hostPath:
      path: /etc/etcd/
  - name: master-data
    hostPath:
      path: /var/lib/etcd
  - name: host-localtime
    hostPath:
      path: /etc/localtime
EOF
}

# the api and controllers pods differ in name, the openshift command's tail, volumes and probes
static_pod_master() { # api|controllers
  local c=$1 name=master-$1 tail='' port=8443
  [ "$c" = controllers ] && tail=' --listen=https://0.0.0.0:8444' port=8444
  static_pod_head "$name" "$c"
  cat <<EOF
    image: $STATIC_POD_CONTROL_PLANE_IMAGE
    command: ["/bin/bash", "-c"]
    args:
    - |
      #!/bin/bash
      set -euo pipefail
      if [[ -f /etc/origin/master/master.env ]]; then
        set -o allexport
        source /etc/origin/master/master.env
      fi
      exec openshift start master $c --config=/etc/origin/master/master-config.yaml$tail --loglevel=\${DEBUG_LOGLEVEL:-2}
    securityContext:
      privileged: true
    volumeMounts:
$(static_pod_mounts "$c")
    livenessProbe:
      httpGet:
        scheme: HTTPS
        port: $port
        path: healthz
EOF
  if [ "$c" = api ]; then
    cat <<EOF
      initialDelaySeconds: 45
      timeoutSeconds: 10
    readinessProbe:
      httpGet:
        scheme: HTTPS
        port: 8443
        path: healthz/ready
      initialDelaySeconds: 10
      timeoutSeconds: 10
EOF
  else
    echo '  # second controllers container would be started here'
    echo '  # scheduler container started here'
  fi
  echo '  volumes:'
  static_pod_volumes "$c"
}

static_pod_mounts() { # api|controllers
  printf '     - mountPath: %s\n       name: %s\n' /etc/origin/master/ master-config /etc/origin/cloudprovider/ master-cloud-provider
  if [ "$1" = api ]; then
    printf '     - mountPath: %s\n       name: %s\n' /var/lib/origin/ master-data
  else
    printf '     - mountPath: %s\n       name: %s\n' /etc/containers/registries.d/ signature-import
    printf '     - mountPath: %s\n       name: %s\n       mountPropagation: "HostToContainer"\n' \
      /usr/libexec/kubernetes/kubelet-plugins kubelet-plugins
  fi
  printf '     - mountPath: %s\n       name: %s\n' /etc/pki master-pki /etc/localtime host-localtime
}

static_pod_volumes() { # api|controllers
  printf '  - name: %s\n    hostPath:\n      path: %s\n' master-config /etc/origin/master/ master-cloud-provider /etc/origin/cloudprovider
  if [ "$1" = api ]; then
    printf '  - name: %s\n    hostPath:\n      path: %s\n' master-data /var/lib/origin
  else
    printf '  - hostPath:\n      path: /etc/containers/registries.d\n    name: signature-import\n'
    printf '  - name: %s\n    hostPath:\n      path: %s\n' kubelet-plugins /usr/libexec/kubernetes/kubelet-plugins
  fi
  printf '  - name: %s\n    hostPath:\n      path: %s\n' master-pki /etc/pki host-localtime /etc/localtime
}
