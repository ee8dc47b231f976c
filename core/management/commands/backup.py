from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core import backups


class Command(BaseCommand):
    help = (
        "备份数据库(PostgreSQL: pg_dump -Fc;SQLite: 在线备份)与上传文件(MEDIA_ROOT 打包为 tar)到 "
        "<VAR_DIR>/backups/<时间>/,并写出清单(每表行数与校验和、每个文件的 sha256)。"
    )
    requires_system_checks = []  # a backup must run whatever state the code is in

    def add_arguments(self, parser):
        parser.add_argument("--output", type=Path, help="备份的上级目录(默认 <VAR_DIR>/backups)")

    def handle(self, *args, output=None, **options):
        try:
            directory, manifest = backups.backup(output)
        except backups.BackupError as exc:
            raise CommandError(str(exc)) from exc
        rows = sum(table["rows"] for table in manifest["tables"].values())
        size = sum(item["size"] for item in manifest["files"].values())
        self.stdout.write(
            f"备份完成:{directory}\n"
            f"  数据库({manifest['engine']}):{len(manifest['tables'])} 张表,{rows} 行\n"
            f"  文件:{len(manifest['files'])} 个,{size} 字节\n"
            f"  用时 {manifest['seconds']} 秒;恢复:make restore BACKUP={directory}"
        )
