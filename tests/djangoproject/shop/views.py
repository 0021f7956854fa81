from django.http import Http404, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from .models import Customer, Order


@csrf_exempt
def place_order(request):
    customer, _ = Customer.objects.get_or_create(name=request.POST.get("customer", "ann"))
    order = Order.objects.create(customer=customer, total=int(request.POST.get("total", 0)))
    return JsonResponse({"order": order.pk}, status=201)


def order_detail(request, pk):
    try:
        order = Order.objects.get(pk=pk)
    except Order.DoesNotExist:
        raise Http404("no order %d" % pk)
    return JsonResponse({"order": order.pk, "total": order.total})
