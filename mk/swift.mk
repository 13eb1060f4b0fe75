# Swift all-in-one behind a real Keystone for the openstack driver's object
# storage tests (tests/support/swift.py): memcached from Debian, then swift,
# keystonemiddleware (authtoken in the proxy) and keystone in their own venv.
SWIFT_VENV := $(TOOLS)/swift-venv
SWIFT_STAMP := $(SWIFT_VENV)/.installed
SWIFT_PACKAGES := swift==2.38.3 keystonemiddleware==13.0.1 keystone==30.0.0

$(SWIFT_STAMP):
	command -v memcached >/dev/null || { $(SUDO) apt-get update -q && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q memcached; }
	mkdir -p -m 700 $(TOOLS)
	$(PYTHON) -m venv $(SWIFT_VENV)
	$(SWIFT_VENV)/bin/pip install --disable-pip-version-check -q --upgrade pip wheel
	$(SWIFT_VENV)/bin/pip install --disable-pip-version-check -q $(SWIFT_PACKAGES)
	touch $(SWIFT_STAMP)

## swift: memcached, Swift, keystonemiddleware and Keystone for the Swift tests
swift: $(SWIFT_STAMP)
.PHONY: swift
TEST_TOOLS += swift
