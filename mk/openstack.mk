# Real OpenStack services for the openstack driver's tests (tests/support/openstack/):
# RabbitMQ from Debian (kept from starting as a system service), then Keystone,
# Glance, Placement, Nova, Cinder and Neutron from PyPI in their own venv, pinned
# by the constraints file of a set known to work together.
OPENSTACK_VENV := $(TOOLS)/openstack-venv
OPENSTACK_STAMP := $(OPENSTACK_VENV)/.installed
OPENSTACK_CONSTRAINTS := tests/support/openstack/constraints.txt
OPENSTACK_PACKAGES := keystone nova glance cinder neutron openstack-placement openstacksdk

$(OPENSTACK_STAMP): $(OPENSTACK_CONSTRAINTS)
	test -x /usr/lib/rabbitmq/bin/rabbitmq-server || { \
		keep=$$(test -e /usr/sbin/policy-rc.d && echo 1); \
		test -n "$$keep" || printf '#!/bin/sh\nexit 101\n' | $(SUDO) tee /usr/sbin/policy-rc.d >/dev/null; \
		$(SUDO) chmod 755 /usr/sbin/policy-rc.d && \
		$(SUDO) apt-get update -q && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q rabbitmq-server; \
		status=$$?; test -n "$$keep" || $(SUDO) rm -f /usr/sbin/policy-rc.d; exit $$status; }
	mkdir -p -m 700 $(TOOLS)
	$(PYTHON) -m venv $(OPENSTACK_VENV)
	$(OPENSTACK_VENV)/bin/pip install --disable-pip-version-check -q --upgrade pip wheel
	$(OPENSTACK_VENV)/bin/pip install --disable-pip-version-check -q \
		-c $(OPENSTACK_CONSTRAINTS) $(OPENSTACK_PACKAGES)
	touch $(OPENSTACK_STAMP)

## openstack: RabbitMQ and the OpenStack services venv for the openstack tests
openstack: $(OPENSTACK_STAMP)
.PHONY: openstack
TEST_TOOLS += openstack
