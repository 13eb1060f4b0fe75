# rhevm: the driver's tests need ovirt-engine-sdk-python, which the test extra
# installs. pip builds its C extension ovirtsdk4.xml from source against
# Debian's libxml2 (the SDK's setup.py hard-codes /usr/include/libxml2 and
# -lxml2), so gcc and libxml2-dev must be there before `pip install -e .[test]`:
# the stamp is an order-only prerequisite of the test venv. pycurl, the SDK's
# HTTP client, comes as a manylinux wheel that bundles libcurl and OpenSSL, so
# pip needs no libcurl or OpenSSL headers. The fake engine the tests talk to is
# Python (tests/fakes/rhevm), started by the tests themselves.
RHEVM_STAMP := $(TOOLS)/rhevm.stamp
RHEVM_DEBS := gcc libxml2-dev

$(RHEVM_STAMP):
	@dpkg -s $(RHEVM_DEBS) >/dev/null 2>&1 || { $(SUDO) apt-get update -q && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q $(RHEVM_DEBS); }
	@mkdir -p -m 0700 $(TOOLS)
	touch $@

## rhevm-tools: the Debian packages ovirt-engine-sdk-python builds against
rhevm-tools: $(RHEVM_STAMP)
$(TEST_STAMP): | $(RHEVM_STAMP)
TEST_TOOLS += rhevm-tools
.PHONY: rhevm-tools
