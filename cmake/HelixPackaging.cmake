# The Debian package: `cpack -G DEB` in a build directory (scripts/package)
# makes helixagent_<version>_amd64.deb with the daemon, the bundled plugins in
# /usr/lib/helixagent/plugins (the daemon's default plugin_dir), the plugin
# SDK (headers, CMake package, template, helixagent-plugin-check), the files
# of /etc/helixagent as conffiles, the systemd unit, logrotate for the access
# log, and a helixagent system user created by postinst.

set(HELIX_DOC_DIR share/doc/helixagent)

install(FILES etc/helixagent/helixagent.yaml DESTINATION /etc/helixagent COMPONENT daemon)
# Every variable empty (= unset) or commented; the unit reads it as EnvironmentFile.
install(FILES etc/helixagent/helixagent.env.example DESTINATION /etc/helixagent RENAME helixagent.env COMPONENT daemon)
install(FILES packaging/debian/logrotate DESTINATION /etc/logrotate.d RENAME helixagent COMPONENT daemon)
install(FILES systemd/helixagent.service DESTINATION /lib/systemd/system COMPONENT daemon)
install(FILES README.md DESTINATION ${HELIX_DOC_DIR} COMPONENT daemon)
install(FILES contrib/grafana/helixagent-dashboard.json DESTINATION ${CMAKE_INSTALL_DATADIR}/helixagent/grafana
  COMPONENT daemon)
install(FILES sdk/README.md DESTINATION ${HELIX_DOC_DIR}/sdk COMPONENT sdk)
install(DIRECTORY sdk/template DESTINATION ${HELIX_DOC_DIR}/sdk COMPONENT sdk)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME helixagent)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "HelixAgent")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "OpenAI-compatible gateway to enterprise LLM services")
set(CPACK_PACKAGE_DESCRIPTION "helixagentd gives applications one OpenAI-compatible API in front of AWS Bedrock,\n\
GCP Vertex AI, Azure OpenAI, OpenAI and Anthropic, with fail-over, cost-aware\n\
routing, Prometheus metrics, an audit log and provider plugins.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES TRUE)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT) # helixagent_<version>_<arch>.deb
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "HelixAgent maintainers <helixagent@localhost>")
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# Library dependencies from dpkg-shlibdeps (dpkg-dev); adduser for postinst.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "logrotate")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "prometheus")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
  ${PROJECT_SOURCE_DIR}/packaging/debian/conffiles
  ${PROJECT_SOURCE_DIR}/packaging/debian/postinst
  ${PROJECT_SOURCE_DIR}/packaging/debian/prerm
  ${PROJECT_SOURCE_DIR}/packaging/debian/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION TRUE)
include(CPack)
