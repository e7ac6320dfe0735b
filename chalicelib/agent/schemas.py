"""Agent payloads (PatchMon agent protocol v1): typed at the edge, extra fields ignored as the reference does."""
from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field


class _Wire(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class Hashes(_Wire):
    packages_hash: str | None = Field(default=None, alias="packagesHash")
    repos_hash: str | None = Field(default=None, alias="reposHash")
    interfaces_hash: str | None = Field(default=None, alias="interfacesHash")
    hostname_hash: str | None = Field(default=None, alias="hostnameHash")
    docker_hash: str | None = Field(default=None, alias="dockerHash")
    compliance_hash: str | None = Field(default=None, alias="complianceHash")

    def for_section(self, section: str) -> str | None:
        return getattr(self, f"{section}_hash")


class Metrics(_Wire):
    cpu_cores: int | None = Field(default=None, alias="cpuCores")
    cpu_model: str | None = Field(default=None, alias="cpuModel", max_length=256)
    ram_installed: float | None = Field(default=None, alias="ramInstalled")
    swap_size: float | None = Field(default=None, alias="swapSize")
    disk_details: list[dict[str, Any]] | None = Field(default=None, alias="diskDetails", max_length=256)
    system_uptime: str | None = Field(default=None, alias="systemUptime", max_length=128)
    boot_time: str | None = Field(default=None, alias="bootTime", max_length=64)
    load_average: list[float] | None = Field(default=None, alias="loadAverage", max_length=3)
    needs_reboot: bool | None = Field(default=None, alias="needsReboot")
    reboot_reason: str | None = Field(default=None, alias="rebootReason", max_length=512)


class PingRequest(_Wire):
    hashes: Hashes | None = None
    metrics: Metrics | None = None
    agent_version: str | None = Field(default=None, alias="agentVersion", max_length=64)
    agent_execution_ms: int | None = Field(default=None, alias="agentExecutionMs")


class Report(_Wire):
    """POST /hosts/update; packages and repositories stay as dicts, since the canonical hashes read the wire form."""

    packages: list[dict[str, Any]] | None = None
    repositories: list[dict[str, Any]] | None = None
    sections: list[str] | None = None
    hashes: Hashes | None = None
    os_type: str | None = Field(default=None, alias="osType", max_length=64)
    os_version: str | None = Field(default=None, alias="osVersion", max_length=64)
    hostname: str | None = Field(default=None, max_length=255)
    ip: str | None = Field(default=None, max_length=64)
    architecture: str | None = Field(default=None, max_length=32)
    agent_version: str | None = Field(default=None, alias="agentVersion", max_length=64)
    machine_id: str | None = Field(default=None, alias="machineId", max_length=128)
    kernel_version: str | None = Field(default=None, alias="kernelVersion", max_length=128)
    installed_kernel_version: str | None = Field(default=None, alias="installedKernelVersion", max_length=128)
    selinux_status: str | None = Field(default=None, alias="selinuxStatus", max_length=32)
    system_uptime: str | None = Field(default=None, alias="systemUptime", max_length=128)
    boot_time: str | None = Field(default=None, alias="bootTime", max_length=64)
    load_average: list[float] | None = Field(default=None, alias="loadAverage", max_length=3)
    cpu_model: str | None = Field(default=None, alias="cpuModel", max_length=256)
    cpu_cores: int | None = Field(default=None, alias="cpuCores")
    ram_installed: float | None = Field(default=None, alias="ramInstalled")
    swap_size: float | None = Field(default=None, alias="swapSize")
    disk_details: list[dict[str, Any]] | None = Field(default=None, alias="diskDetails", max_length=256)
    gateway_ip: str | None = Field(default=None, alias="gatewayIp", max_length=64)
    dns_servers: list[str] | None = Field(default=None, alias="dnsServers", max_length=32)
    network_interfaces: list[dict[str, Any]] | None = Field(default=None, alias="networkInterfaces", max_length=256)
    execution_time: float | None = Field(default=None, alias="executionTime")
    needs_reboot: bool | None = Field(default=None, alias="needsReboot")
    reboot_reason: str | None = Field(default=None, alias="rebootReason", max_length=512)
    package_manager: str | None = Field(default=None, alias="packageManager", max_length=32)
    agent_execution_ms: int | None = Field(default=None, alias="agentExecutionMs")
    # Ours: packages the host holds itself (apt-mark, versionlock, zypper locks, IgnorePkg); not a hash input.
    held_packages: list[Annotated[str, Field(max_length=256)]] | None = Field(default=None, alias="heldPackages", max_length=10_000)


class IntegrationStatus(_Wire):
    """POST /hosts/integration-status (IntegrationSetupStatus of the reference)."""

    integration: str = Field(pattern="^(docker|compliance)$")
    enabled: bool = False
    status: str = Field(default="", max_length=32)
    message: str | None = Field(default=None, max_length=2000)
    components: dict[str, str] | None = None
    scanner_info: dict[str, Any] | None = None
    install_events: list[dict[str, Any]] | None = Field(default=None, max_length=200)
