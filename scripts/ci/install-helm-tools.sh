#!/usr/bin/env bash
# Installs the two tools of the Helm chart tests (test/unit/helm.test.ts), each only when missing:
#   - helm, built from the Go module proxy (`go install`, about 2 minutes on 2 cores from an empty
#     cache); the binary lands in $(go env GOPATH)/bin, which must be on PATH (.ci/run puts it there);
#   - kubernetes-validate from PyPI (a few seconds), which ships the Kubernetes JSON schemas.
# This machine reaches package registries only, so helm's own release downloads are not an option.
# Idempotent: a second run does nothing.
set -euo pipefail

HELM_VERSION="${HELM_VERSION:-v3.22.0}"
# The Kubernetes minor of the k8s.io modules of that helm release: `helm template` and `helm lint`
# assume this cluster version unless --kube-version says otherwise (the release binaries do too).
HELM_K8S_MINOR="${HELM_K8S_MINOR:-37}"
KUBERNETES_VALIDATE_VERSION="${KUBERNETES_VALIDATE_VERSION:-1.37.0}"

if command -v helm >/dev/null 2>&1; then
  echo "helm: present ($(command -v helm), $(helm version --short 2>/dev/null))"
else
  command -v go >/dev/null || { echo "install-helm-tools: go is required to build helm" >&2; exit 1; }
  start=$(date +%s)
  pkg=helm.sh/helm/v3
  log="$(mktemp)"
  # go lists every module it downloads: keep that out of the CI log unless the build fails.
  go install -trimpath -ldflags "-s -w \
    -X $pkg/internal/version.version=$HELM_VERSION \
    -X $pkg/pkg/lint/rules.k8sVersionMajor=1 -X $pkg/pkg/lint/rules.k8sVersionMinor=$HELM_K8S_MINOR \
    -X $pkg/pkg/chartutil.k8sVersionMajor=1 -X $pkg/pkg/chartutil.k8sVersionMinor=$HELM_K8S_MINOR" \
    "$pkg/cmd/helm@$HELM_VERSION" >"$log" 2>&1 || { cat "$log" >&2; rm -f "$log"; exit 1; }
  rm -f "$log"
  bin="$(go env GOPATH)/bin/helm"
  echo "helm: installed $("$bin" version --short) at $bin in $(( $(date +%s) - start )) s"
  command -v helm >/dev/null || echo "install-helm-tools: put $(go env GOPATH)/bin on PATH" >&2
fi

if command -v kubernetes-validate >/dev/null 2>&1; then
  echo "kubernetes-validate: present ($(command -v kubernetes-validate), $(kubernetes-validate --version))"
else
  start=$(date +%s)
  pip=(python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore "kubernetes-validate==$KUBERNETES_VALIDATE_VERSION")
  # A Debian-managed Python refuses plain pip installs (PEP 668); pyenv's and venvs' do not.
  if [ -n "$(python3 -c 'import sys, sysconfig, os; p = os.path.join(sysconfig.get_path("stdlib"), "EXTERNALLY-MANAGED"); print(p if os.path.exists(p) and sys.prefix == sys.base_prefix else "")')" ]; then
    pip+=(--break-system-packages)
  fi
  "${pip[@]}"
  # pyenv makes its PATH shims for new console scripts only on a rehash.
  if command -v pyenv >/dev/null 2>&1; then pyenv rehash || true; fi
  echo "kubernetes-validate: installed $KUBERNETES_VALIDATE_VERSION in $(( $(date +%s) - start )) s"
  command -v kubernetes-validate >/dev/null || echo "install-helm-tools: put $(python3 -c 'import sysconfig; print(sysconfig.get_path("scripts"))') on PATH" >&2
fi
