#!/usr/bin/env bash
# Build the frozen, out-of-process environment for the qiskit-dynamics cross-check (stack.md):
# qiskit-dynamics 0.6.0 needs qiskit<=1.3, so it can never live in qbhw's own environment (qiskit 2.x).
# Usage: bash tools/qiskit_dynamics_env.sh [ENV_DIR]   (default: .qd-env in the repository root; git-ignored)
# Idempotent: does nothing when ENV_DIR/bin/python already imports qiskit_dynamics 0.6.0.
# qbhw.pulse.crosscheck finds the env at $QBHW_QD_ENV or <repo>/.qd-env.
set -euo pipefail
cd "$(dirname "$0")/.."
ENV_DIR="${1:-.qd-env}"
PY="${QBHW_QD_BASE_PYTHON:-python3}"
if [ -x "$ENV_DIR/bin/python" ] && "$ENV_DIR/bin/python" -c \
    "import qiskit_dynamics, sys; sys.exit(0 if qiskit_dynamics.__version__ == '0.6.0' else 1)" 2>/dev/null; then
  echo "qiskit-dynamics env ready: $ENV_DIR"
  exit 0
fi
rm -rf "$ENV_DIR"
"$PY" -m venv "$ENV_DIR"
"$ENV_DIR/bin/python" -m pip install --quiet --upgrade "pip>=24"
"$ENV_DIR/bin/python" -m pip install --quiet \
  "qiskit==1.3.0" "qiskit-dynamics==0.6.0" "qiskit-aer==0.18.2" "numpy>=1.26,<2.3" "scipy>=1.13,<1.16"
"$ENV_DIR/bin/python" -c "import qiskit, qiskit_dynamics; print('qiskit', qiskit.__version__, 'qiskit-dynamics', qiskit_dynamics.__version__)"
echo "qiskit-dynamics env ready: $ENV_DIR"
