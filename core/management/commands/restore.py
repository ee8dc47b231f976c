from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core import backups


class Command(BaseCommand):
    help = (
        "从备份目录恢复数据库与上传文件到当前配置(DATABASE_URL、PORTAL_VAR_DIR),并按清单核对"
        "每表行数与校验和、每个文件的 sha256。目标已有数据时拒绝,除非加 --force。"
    )
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("backup", type=Path, help="备份目录,如 var/backups/20261125-080000")
        parser.add_argument(
            "--force", action="store_true", help="整体替换已有的数据库与文件(原有文件移到一旁保留)"
        )

    def handle(self, *args, backup, force, **options):
        try:
            result = backups.restore(backup, force=force)
        except backups.BackupError as exc:
            raise CommandError(str(exc)) from exc
        manifest = result.manifest
        rows = sum(table["rows"] for table in manifest["tables"].values())
        self.stdout.write(
            f"已恢复 {result.directory}(备份于 {manifest['created_at']}):"
            f"{len(manifest['tables'])} 张表、{rows} 行,{len(manifest['files'])} 个文件"
        )
        if result.set_aside:
            self.stdout.write(f"  原有文件已移至 {result.set_aside}(确认无误后可删除)")
        if result.problems:
            raise CommandError("恢复后核对不一致:\n  " + "\n  ".join(result.problems))
        self.stdout.write("  核对一致:每表行数与校验和、每个文件的 sha256 均与备份清单相同。")
