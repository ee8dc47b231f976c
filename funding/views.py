"""The city's pay benchmarks of hired community cadres (F): a list and its form, for the officer who
keeps the city's standards. The records themselves have their pages from the record-type registry."""

from django.core.exceptions import PermissionDenied
from django.urls import reverse_lazy
from django.utils import timezone
from django.views import generic

from core.roles import Action
from core.views import ScopedCreateView, ScopedDeleteView, ScopedUpdateView, ScopedViewMixin

from . import services
from .forms import PayBenchmarkForm
from .models import PayBenchmark


class PayBenchmarkMixin(ScopedViewMixin):
    model = PayBenchmark
    required_action = Action.MANAGE_STANDARDS
    success_url = reverse_lazy("pay-benchmark-list")

    def check_action(self, obj=None):
        if not self.request.user.tenant_id:  # platform superusers keep them in the Django admin
            raise PermissionDenied
        super().check_action(obj)


class PayBenchmarkListView(PayBenchmarkMixin, generic.ListView):
    template_name = "funding/pay_benchmark_list.html"

    def get_context_data(self, **kwargs):
        year = timezone.localdate().year
        in_force = PayBenchmark.objects.in_force(self.request.user.tenant_id, year)
        return super().get_context_data(
            year=year,
            in_force=in_force,
            default_income=services.DEFAULT_URBAN_INCOME,
            default=services.DEFAULT_PAY_BENCHMARKS,
            default_label=services.DEFAULT_PAY_BENCHMARK_LABEL,
            **kwargs,
        )


class PayBenchmarkFormMixin(PayBenchmarkMixin):
    form_class = PayBenchmarkForm
    template_name = "funding/pay_benchmark_form.html"


class PayBenchmarkCreateView(PayBenchmarkFormMixin, ScopedCreateView):
    success_message = "报酬参照标准已保存。"


class PayBenchmarkUpdateView(PayBenchmarkFormMixin, ScopedUpdateView):
    success_message = "报酬参照标准已更新。"


class PayBenchmarkDeleteView(PayBenchmarkMixin, ScopedDeleteView):
    template_name = "funding/pay_benchmark_confirm_delete.html"
